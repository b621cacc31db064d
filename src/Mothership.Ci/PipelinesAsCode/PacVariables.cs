using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Mothership.Ci.PipelinesAsCode;

/// <summary>
/// PaC's <c>{{ name }}</c> variables, substituted into a <c>.tekton/</c> file's text before it is
/// loaded: <c>revision</c>, <c>repo_url</c>, <c>repo_owner</c>, <c>repo_name</c>,
/// <c>pull_request_number</c>, <c>source_branch</c>, <c>target_branch</c>, <c>sender</c>,
/// <c>event_type</c>, and <c>source_url</c>, <c>git_tag</c>, <c>trigger_comment</c>,
/// <c>pull_request_labels</c>. A name PaC does not define for the event (or does not know) is left
/// as written, as PaC leaves it.
/// </summary>
public static partial class PacVariables
{
    /// <summary>The comment types whose <c>{{event_type}}</c> PaC still writes as <c>pull_request</c> (its backward compatibility).</summary>
    private static readonly ImmutableHashSet<string> OpsCommentTypes =
    [
        "test-all-comment", "test-comment", "retest-all-comment", "retest-comment", "cancel-comment", "cancel-all-comment", "ok-to-test-comment",
    ];

    [GeneratedRegex(@"{{\s*([^{}\s]+)\s*}}")]
    private static partial Regex Placeholder();

    /// <summary>The values of <paramref name="pacEvent"/>'s variables, by name, as PaC computes them (owner, name and sender lower-cased).</summary>
    public static ImmutableDictionary<string, string> For(PacEvent pacEvent)
    {
        ArgumentNullException.ThrowIfNull(pacEvent);
        var slash = pacEvent.Repository.IndexOf('/', StringComparison.Ordinal);
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["revision"] = pacEvent.Revision,
            ["repo_url"] = pacEvent.RepoUrl,
            ["repo_owner"] = pacEvent.Repository[..Math.Max(slash, 0)].ToLowerInvariant(),
            ["repo_name"] = pacEvent.Repository[(slash + 1)..].ToLowerInvariant(),
            ["target_branch"] = PacEvent.BranchName(pacEvent.TargetBranch),
            ["source_branch"] = PacEvent.BranchName(pacEvent.SourceBranch),
            ["source_url"] = pacEvent.SourceUrl,
            ["sender"] = pacEvent.Sender.ToLowerInvariant(),
            ["event_type"] = OpsCommentTypes.Contains(pacEvent.EventType) ? PacEvent.PullRequestEvent : pacEvent.EventType,
            ["git_tag"] = pacEvent.TargetBranch.StartsWith("refs/tags/", StringComparison.Ordinal) ? pacEvent.TargetBranch["refs/tags/".Length..] : "",
            ["trigger_comment"] = (pacEvent.Comment ?? "").Replace("\r\n", "\\n", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal),
            ["pull_request_labels"] = string.Join("\\n", pacEvent.Labels),
        };
        if (pacEvent.PullRequestNumber is { } number)
        {
            values["pull_request_number"] = number.ToString(CultureInfo.InvariantCulture);
        }

        return values.ToImmutableDictionary(StringComparer.Ordinal);
    }

    /// <summary><paramref name="text"/> with each <c>{{ name }}</c> of <paramref name="values"/> replaced; others left as written.</summary>
    public static string Substitute(string text, IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(values);
        return Placeholder().Replace(text, m => values.TryGetValue(m.Groups[1].Value, out var value) ? value : m.Value);
    }
}
