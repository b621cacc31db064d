using System.Text;
using System.Text.RegularExpressions;
using Mothership.Ci.Forge;
using Mothership.Ci.Releases;

namespace Mothership.Ci.Promotion;

/// <summary>
/// The shape of a deployment pull request, written and read in one place: its branch, its title
/// (<c>Deploy &lt;site&gt; #&lt;N&gt;</c>), the pin file it changes (<c>sites/&lt;site&gt;/deployed.yaml</c>,
/// holding the revision) and its body (the compare link, the merged pull requests with their
/// kinds and release notes, the plan) ending with a hidden mark by which the bot knows its own
/// pull requests again.
/// </summary>
public static partial class DeploymentPullRequests
{
    /// <summary>The head branch of <paramref name="site"/>'s deployment pull request (one per site, rebuilt each time).</summary>
    public static string Branch(string site) => $"mothership/deploy/{site}";

    /// <summary>The site a deployment branch is for; null when <paramref name="branch"/> is not one.</summary>
    public static string? SiteOfBranch(string branch) =>
        branch.StartsWith("mothership/deploy/", StringComparison.Ordinal) && branch.Length > "mothership/deploy/".Length
            ? branch["mothership/deploy/".Length..]
            : null;

    /// <summary>The pin file of <paramref name="site"/>, in the site repository.</summary>
    public static string PinPath(string site) => $"sites/{site}/deployed.yaml";

    /// <summary>The pin file's content for <paramref name="revision"/>.</summary>
    public static string PinFile(string site, string revision) =>
        $"# Written by Mothership's promotion bot: the revision of this repository that site {site} runs\n"
        + "# once the deployment pull request that changes this line is deployed and merged.\n"
        + $"revision: {revision}\n";

    /// <summary>The revision a pin file names; null when it names none (a hand-edited or foreign file).</summary>
    public static string? ReadPin(string? content) =>
        content is null ? null : PinLine().Match(content) is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary><c>Deploy &lt;site&gt; #&lt;N&gt;</c>.</summary>
    public static string Title(DeploymentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return $"Deploy {request.Site} #{request.Number}";
    }

    /// <summary>How a reply names a site's deployment pull request.</summary>
    public static string Describe(string site, PullRequest pullRequest)
    {
        ArgumentNullException.ThrowIfNull(pullRequest);
        return $"The deployment pull request of {site} (#{pullRequest.Number})";
    }

    /// <summary>The pull request's body (markdown).</summary>
    public static string Body(DeploymentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var b = new StringBuilder();
        var where = request.Region.Length > 0 ? $"{request.Environment}, region {request.Region}" : request.Environment;
        b.Append(request.Rollback ? "Rolls back" : "Deploys").Append(" **").Append(request.Site).Append("** (").Append(where).Append(") to `")
            .Append(Short(request.To)).Append('`');
        b.Append(request.From is null ? " (its first deploy)" : $", from `{Short(request.From)}`").Append(".\n\n");
        if (request.From is not null)
        {
            b.Append("Changes: ").Append(request.RepoLink.TrimEnd('/')).Append("/compare/").Append(request.From).Append("...").Append(request.To).Append("\n\n");
        }

        b.Append("### Merged pull requests\n\n");
        if (request.Changes.Count == 0)
        {
            b.Append(request.Rollback ? "None: a rollback brings no new change.\n\n" : "None found in the range.\n\n");
        }
        else
        {
            b.Append("| Pull request | Kind | Release note |\n|---|---|---|\n");
            foreach (var change in request.Changes)
            {
                b.Append("| #").Append(change.PullRequest).Append(change.Author is { Length: > 0 } author ? $" (@{author})" : "").Append(" | ")
                    .Append(change.Kinds.Count == 0 ? "—" : Cell(string.Join(", ", change.Kinds))).Append(" | ")
                    .Append(change.DoNotPublish ? "—" : Cell(ReleaseNotesDocument.StripBullet(change.Markdown))).Append(change.ActionRequired ? " **(action required)**" : "").Append(" |\n");
            }

            b.Append('\n');
        }

        if (request.Plan.Length > 0)
        {
            b.Append("### Plan\n\n```text\n").Append(request.Plan.Replace("```", "'''", StringComparison.Ordinal).TrimEnd('\n')).Append("\n```\n\n");
        }

        b.Append("Add the label `").Append(request.Label).Append("` to deploy; remove it or comment `/cancel` to stop a running deploy ")
            .Append("(services already deploying finish, nothing new starts). The pull request is merged when the deploy succeeds.\n\n");
        b.Append(Mark(request.Site, request.From, request.To)).Append('\n');
        return b.ToString();
    }

    /// <summary>The hidden mark that ends a deployment pull request's body.</summary>
    public static string Mark(string site, string? from, string to) => $"<!-- mothership:deployment site={site} from={from ?? "-"} to={to} -->";

    /// <summary>The site and revisions a body's mark names; null when the body has no mark (not the bot's pull request).</summary>
    public static (string Site, string? From, string To)? ReadMark(string? body) =>
        body is not null && MarkPattern().Match(body) is { Success: true } m
            ? (m.Groups[1].Value, m.Groups[2].Value == "-" ? null : m.Groups[2].Value, m.Groups[3].Value)
            : null;

    private static string Short(string revision) => revision.Length > 12 && revision.All(char.IsAsciiHexDigit) ? revision[..12] : revision;

    /// <summary>A markdown table cell: one line, pipes escaped, at most 300 characters.</summary>
    private static string Cell(string text)
    {
        var line = string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Replace("|", "\\|", StringComparison.Ordinal);
        return line.Length > 300 ? line[..299] + "…" : line;
    }

    [GeneratedRegex(@"^revision:\s*""?([0-9A-Za-z._/-]{1,200})""?\s*$", RegexOptions.Multiline)]
    private static partial Regex PinLine();

    [GeneratedRegex(@"<!-- mothership:deployment site=([a-z0-9-]{1,63}) from=([0-9A-Za-z._/-]{1,200}) to=([0-9A-Za-z._/-]{1,200}) -->")]
    private static partial Regex MarkPattern();
}
