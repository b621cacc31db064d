using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Mothership.Ci.Forge;

namespace Mothership.Ci.Tide;

/// <summary>
/// The <c>tide:</c> section of Prow's <c>config.yaml</c>: which pull requests may merge, how, in
/// batches of how many, with which status contexts required. Settings keyed by <c>org</c>,
/// <c>org/repo</c> or <c>org/repo@branch</c> apply the most specific key written.
/// </summary>
public sealed record TideConfig
{
    /// <summary>No queries: the pool is off.</summary>
    public static TideConfig Empty { get; } = new();

    /// <summary>Prow's default <c>sync_period</c>.</summary>
    public static readonly TimeSpan DefaultSyncPeriod = TimeSpan.FromMinutes(1);

    public ImmutableArray<TideQuery> Queries { get; init; } = [];

    /// <summary>How often the pool syncs; default 1m.</summary>
    public TimeSpan SyncPeriod { get; init; } = DefaultSyncPeriod;

    /// <summary>
    /// <c>merge_method</c> by <c>org</c>, <c>org/repo</c> or <c>org/repo@branch</c> (a branch
    /// written under a repository is a regex matched whole); default merge.
    /// </summary>
    public ImmutableSortedDictionary<string, MergeMethod> MergeMethods { get; init; } = ImmutableSortedDictionary<string, MergeMethod>.Empty;

    /// <summary>A label that makes a pull request merge with <see cref="MergeMethod.Merge"/>; null when none.</summary>
    public string? MergeLabel { get; init; }

    /// <summary>A label that makes a pull request squash; null when none.</summary>
    public string? SquashLabel { get; init; }

    /// <summary>A label that makes a pull request rebase; null when none.</summary>
    public string? RebaseLabel { get; init; }

    /// <summary><c>batch_size_limit</c> by <c>*</c>, <c>org</c> or <c>org/repo</c>: 0 (default) unlimited, -1 no batches.</summary>
    public ImmutableSortedDictionary<string, int> BatchSizeLimits { get; init; } = ImmutableSortedDictionary<string, int>.Empty;

    /// <summary>The general context policy.</summary>
    public TideContextPolicy ContextPolicy { get; init; } = TideContextPolicy.Empty;

    /// <summary>Context policies by <c>org</c>, <c>org/repo</c> or <c>org/repo@branch</c>, applied over the general one in that order.</summary>
    public ImmutableSortedDictionary<string, TideContextPolicy> ContextPolicies { get; init; } = ImmutableSortedDictionary<string, TideContextPolicy>.Empty;

    /// <summary>The link of the <c>tide</c> status; null for none.</summary>
    public string? TargetUrl { get; init; }

    /// <summary>Whether any query is written.</summary>
    public bool Enabled => !Queries.IsEmpty;

    /// <summary>The queries that cover <paramref name="orgRepo"/>.</summary>
    public IEnumerable<TideQuery> QueriesFor(string orgRepo) => Queries.Where(q => q.CoversRepo(orgRepo));

    /// <summary>
    /// The merge method for a pull request: the method its override label names, else the most
    /// specific <c>merge_method</c>, else merge. Null when it carries two override labels that
    /// disagree (Prow refuses to merge it).
    /// </summary>
    public MergeMethod? MergeMethodFor(string org, string repo, string branch, IReadOnlyCollection<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var overrides = new List<MergeMethod>();
        if (MergeLabel is { } m && labels.Contains(m, StringComparer.Ordinal))
        {
            overrides.Add(MergeMethod.Merge);
        }

        if (SquashLabel is { } s && labels.Contains(s, StringComparer.Ordinal))
        {
            overrides.Add(MergeMethod.Squash);
        }

        if (RebaseLabel is { } r && labels.Contains(r, StringComparer.Ordinal))
        {
            overrides.Add(MergeMethod.Rebase);
        }

        if (overrides.Count > 1)
        {
            return null;
        }

        if (overrides.Count == 1)
        {
            return overrides[0];
        }

        var orgRepo = org + "/" + repo;
        foreach (var (key, method) in MergeMethods)
        {
            var at = key.IndexOf('@', StringComparison.Ordinal);
            if (at > 0 && string.Equals(key[..at], orgRepo, StringComparison.OrdinalIgnoreCase)
                && Regex.IsMatch(branch, "^(?:" + key[(at + 1)..] + ")$", RegexOptions.None, TimeSpan.FromSeconds(1)))
            {
                return method;
            }
        }

        return MergeMethods.TryGetValue(orgRepo, out var byRepo) ? byRepo
            : MergeMethods.TryGetValue(org, out var byOrg) ? byOrg
            : MergeMethod.Merge;
    }

    /// <summary>Prow's <c>BatchSizeLimit</c>: <c>org/repo</c>, else <c>org</c>, else <c>*</c>, else 0 (unlimited); -1 means no batches.</summary>
    public int BatchSizeLimitFor(string org, string repo) =>
        BatchSizeLimits.TryGetValue(org + "/" + repo, out var byRepo) ? byRepo
        : BatchSizeLimits.TryGetValue(org, out var byOrg) ? byOrg
        : BatchSizeLimits.GetValueOrDefault("*");

    /// <summary>The context policy for a branch: the general one, then the org's, the repository's and the branch's over it.</summary>
    public TideContextPolicy ContextPolicyFor(string org, string repo, string branch)
    {
        var policy = ContextPolicy;
        foreach (var key in (string[])[org, org + "/" + repo, org + "/" + repo + "@" + branch])
        {
            if (ContextPolicies.TryGetValue(key, out var specific))
            {
                policy = policy.With(specific);
            }
        }

        return policy;
    }

    /// <summary>
    /// Prow's merge of config files' <c>tide</c> sections: queries one after the other, keyed
    /// settings together (the first file's setting of a key wins); the other settings are the first
    /// section's.
    /// </summary>
    public TideConfig Merge(TideConfig other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other == Empty)
        {
            return this;
        }

        if (this == Empty)
        {
            return other;
        }

        return this with
        {
            Queries = Queries.AddRange(other.Queries),
            MergeMethods = MergeMethods.AddRange(other.MergeMethods.Where(p => !MergeMethods.ContainsKey(p.Key))),
            BatchSizeLimits = BatchSizeLimits.AddRange(other.BatchSizeLimits.Where(p => !BatchSizeLimits.ContainsKey(p.Key))),
            ContextPolicies = ContextPolicies.AddRange(other.ContextPolicies.Where(p => !ContextPolicies.ContainsKey(p.Key))),
        };
    }
}
