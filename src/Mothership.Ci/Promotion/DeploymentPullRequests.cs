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
/// pull requests again. A rollout's pull request (<see cref="RolloutBranch"/>, one per environment
/// at a time) is written and read here too: it pins the environment's revision
/// (<see cref="EnvironmentPinPath"/>) and shows the rollout's waves and gates.
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

    /// <summary>The head branch of <paramref name="environment"/>'s rollout pull request (the active rollout's; rebuilt for each rollout).</summary>
    public static string RolloutBranch(string environment) => RolloutPrefix + environment;

    /// <summary>The environment a rollout branch is for; null when <paramref name="branch"/> is not one.</summary>
    public static string? EnvironmentOfRolloutBranch(string branch) =>
        branch.StartsWith(RolloutPrefix, StringComparison.Ordinal) && branch.Length > RolloutPrefix.Length ? branch[RolloutPrefix.Length..] : null;

    /// <summary>The pin file a rollout pull request changes: the revision every site of <paramref name="environment"/> runs once it is merged.</summary>
    public static string EnvironmentPinPath(string environment) => $"environments/{environment}/deployed.yaml";

    /// <summary>The environment pin file's content for <paramref name="revision"/> (read back with <see cref="ReadPin"/>).</summary>
    public static string EnvironmentPinFile(string environment, string revision) =>
        $"# Written by Mothership's promotion bot: the revision of this repository that every site of environment {environment} runs\n"
        + "# once the rollout whose pull request changes this line has succeeded and the pull request is merged.\n"
        + $"revision: {revision}\n";

    /// <summary><c>Roll out &lt;environment&gt; to &lt;revision&gt;</c>.</summary>
    public static string RolloutTitle(RolloutRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return $"Roll out {request.Environment} to {Short(request.To)}";
    }

    /// <summary>A rollout pull request's body (markdown): the revision, the waves with their sites and gates, how to approve, and the hidden mark naming the rollout.</summary>
    public static string RolloutBody(RolloutRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var b = new StringBuilder();
        b.Append("Rolls out **").Append(request.Environment).Append("** to `").Append(Short(request.To)).Append("` wave by wave: rollout `")
            .Append(request.Rollout).Append('`').Append(request.Link is { } link ? $" ({link})" : "").Append(", started by ").Append(request.Actor).Append(".\n\n");
        b.Append("Status: **").Append(request.Status).Append("**").Append(request.Reason is { Length: > 0 } reason ? $": {Cell(reason)}" : "").Append("\n\n");
        b.Append("### Waves\n\n| Wave | Sites | Gate |\n|---|---|---|\n");
        foreach (var wave in request.Waves)
        {
            var sites = wave.Sites.Count <= MaxSitesShown
                ? string.Join(", ", wave.Sites)
                : $"{string.Join(", ", wave.Sites.Take(MaxSitesShown))} and {wave.Sites.Count - MaxSitesShown} more";
            b.Append("| ").Append(wave.Name).Append(" | ").Append(wave.Sites.Count).Append(": ").Append(sites).Append(" | ").Append(Gate(wave)).Append(" |\n");
        }

        b.Append("\nComment `/approve-rollout` to approve the gate that waits (or `/approve-rollout GATE` for a named one): it takes ")
            .Append("`approve` on the environment's rollouts and one of the gate's roles, as the access policy says of `github:LOGIN`. ")
            .Append("The pull request is merged when the rollout succeeds and closed when it ends otherwise.\n\n");
        b.Append(RolloutMark(request.Rollout, request.Environment, request.To)).Append('\n');
        return b.ToString();
    }

    /// <summary>The hidden mark that ends a rollout pull request's body.</summary>
    public static string RolloutMark(string rollout, string environment, string to) => $"<!-- mothership:rollout name={rollout} environment={environment} to={to} -->";

    /// <summary>The rollout, environment and revision a body's mark names; null when the body has none.</summary>
    public static (string Rollout, string Environment, string To)? ReadRolloutMark(string? body) =>
        body is not null && RolloutMarkPattern().Match(body) is { Success: true } m ? (m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value) : null;

    private static string Gate(RolloutRequestWave wave) => wave switch
    {
        { Gate: null } => "—",
        { ApprovedBy: { } by } => $"`{wave.Gate}`: approved by {Cell(by)}",
        { Waiting: true } => $"`{wave.Gate}`: **waits for approval** by one of: {Cell(string.Join(", ", wave.Approvers))}",
        _ => $"`{wave.Gate}`: approval by one of: {Cell(string.Join(", ", wave.Approvers))}",
    };

    /// <summary>Sites listed per wave in a rollout pull request's body (a prod wave can hold hundreds).</summary>
    private const int MaxSitesShown = 50;

    private const string RolloutPrefix = "mothership/rollout/";

    private static string Short(string revision) => revision.Length > 12 && revision.All(char.IsAsciiHexDigit) ? revision[..12] : revision;

    /// <summary>A markdown table cell: one line, pipes escaped, at most 300 characters.</summary>
    private static string Cell(string text)
    {
        var line = string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Replace("|", "\\|", StringComparison.Ordinal);
        return line.Length > 300 ? line[..299] + "…" : line;
    }

    [GeneratedRegex(@"^revision:\s*""?([0-9A-Za-z._/-]{1,200})""?\s*$", RegexOptions.Multiline)]
    private static partial Regex PinLine();

    [GeneratedRegex(@"<!-- mothership:rollout name=([a-z0-9-]{1,253}) environment=([a-z0-9-]{1,63}) to=([0-9A-Za-z._/-]{1,200}) -->")]
    private static partial Regex RolloutMarkPattern();

    [GeneratedRegex(@"<!-- mothership:deployment site=([a-z0-9-]{1,63}) from=([0-9A-Za-z._/-]{1,200}) to=([0-9A-Za-z._/-]{1,200}) -->")]
    private static partial Regex MarkPattern();
}
