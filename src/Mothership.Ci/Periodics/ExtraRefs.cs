using Mothership.Ci.Jobs;
using Mothership.Ci.Triggers;

namespace Mothership.Ci.Periodics;

/// <summary>
/// A job's <c>extra_refs</c> (Prow's list of <c>Refs</c>, kept in <see cref="ProwJob.Extra"/> as
/// written): the repositories a periodic checks out. Mothership checks out the first one into the
/// <c>source</c> workspace, as a postsubmit's refs; the others are not cloned.
/// </summary>
public static class ExtraRefs
{
    /// <summary>The key of the field in <see cref="ProwJob.Extra"/>.</summary>
    public const string Key = "extra_refs";

    /// <summary>
    /// The first of <paramref name="job"/>'s extra refs; null when it has none, or when the first
    /// lacks <c>org</c>, <c>repo</c> or <c>base_ref</c> (the config reader reports that). Its
    /// commit is <c>base_sha</c> as written, else empty: the branch's head. The clone URI and link
    /// default to GitHub's (<c>https://github.com/org/repo</c>), as Prow's.
    /// </summary>
    public static JobRefs? First(ProwJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (!job.Extra.TryGetValue(Key, out var value) || value is not IReadOnlyList<object?> { Count: > 0 } list
            || list[0] is not IReadOnlyDictionary<string, object?> refs)
        {
            return null;
        }

        string Text(string key) => refs.TryGetValue(key, out var v) && v is string s ? s : "";
        var (org, repo, baseRef) = (Text("org"), Text("repo"), Text("base_ref"));
        if (org.Length == 0 || repo.Length == 0 || baseRef.Length == 0)
        {
            return null;
        }

        var link = Text("repo_link") is { Length: > 0 } l ? l : $"https://github.com/{org}/{repo}";
        var clone = Text("clone_uri") is { Length: > 0 } c ? c : link + ".git";
        return new JobRefs(org, repo, baseRef, Text("base_sha"), clone, link);
    }

    /// <summary>
    /// What is wrong with each entry of <c>extra_refs</c> as written (<paramref name="value"/>, a
    /// plain list of maps): an entry that is not a mapping, or lacks <c>org</c>, <c>repo</c> or
    /// <c>base_ref</c>. Empty when it is fine.
    /// </summary>
    public static IReadOnlyList<string> Problems(object? value)
    {
        if (value is not IReadOnlyList<object?> list)
        {
            return value is null ? [] : ["extra_refs must be a list of refs (org, repo, base_ref)"];
        }

        var problems = new List<string>();
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is not IReadOnlyDictionary<string, object?> refs)
            {
                problems.Add($"extra_refs[{i}] must be a mapping with org, repo and base_ref");
                continue;
            }

            var missing = new[] { "org", "repo", "base_ref" }.Where(k => !refs.TryGetValue(k, out var v) || v is not string { Length: > 0 }).ToList();
            if (missing.Count > 0)
            {
                problems.Add($"extra_refs[{i}] has no {string.Join(", ", missing)}: write the repository (org, repo) and the branch (base_ref) to check out");
            }
        }

        return problems;
    }
}
