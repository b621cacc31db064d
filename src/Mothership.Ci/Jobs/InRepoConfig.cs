using System.Collections.Immutable;

namespace Mothership.Ci.Jobs;

/// <summary>
/// Prow's <c>in_repo_config</c> of <c>config.yaml</c>: for which repositories jobs are also read
/// from the repository's own <c>.prow.yaml</c> (or <c>.prow/</c>), and which clusters those jobs
/// may name. Both are keyed by <c>org/repo</c>, <c>org</c> or <c>*</c>, as Prow's.
/// </summary>
public sealed record InRepoConfig
{
    /// <summary>The cluster every repository's in-repo jobs may use when nothing else is allowed (Prow's default, <c>"*": [default]</c>).</summary>
    public const string DefaultCluster = "default";

    /// <summary>Whether in-repo config is on, by <c>org/repo</c>, <c>org</c> or <c>*</c>; the narrowest key wins. Default: off everywhere.</summary>
    public ImmutableSortedDictionary<string, bool> Enabled { get; init; } = ImmutableSortedDictionary<string, bool>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>The clusters in-repo jobs may name, by <c>org/repo</c>, <c>org</c> or <c>*</c>; all matching keys count. Default: <c>*</c> may use <c>default</c>.</summary>
    public ImmutableSortedDictionary<string, ImmutableArray<string>> AllowedClusters { get; init; } =
        ImmutableSortedDictionary<string, ImmutableArray<string>>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>Prow's <c>InRepoConfigEnabled</c>: the setting of <c>org/repo</c>, else of <c>org</c>, else of <c>*</c>, else off.</summary>
    public bool EnabledFor(string orgRepo)
    {
        foreach (var key in Keys(orgRepo))
        {
            if (Enabled.TryGetValue(key, out var enabled))
            {
                return enabled;
            }
        }

        return false;
    }

    /// <summary>Prow's <c>InRepoConfigAllowsCluster</c>: a cluster allowed for the repository, its organisation or everyone.</summary>
    public bool AllowsCluster(string cluster, string orgRepo)
    {
        var allowed = AllowedClusters.ContainsKey("*") ? AllowedClusters : AllowedClusters.SetItem("*", [DefaultCluster]);
        return Keys(orgRepo).Any(k => allowed.TryGetValue(k, out var clusters) && clusters.Contains(cluster, StringComparer.Ordinal));
    }

    private static IEnumerable<string> Keys(string orgRepo)
    {
        ArgumentNullException.ThrowIfNull(orgRepo);
        yield return orgRepo;
        var slash = orgRepo.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0)
        {
            yield return orgRepo[..slash];
        }

        yield return "*";
    }
}
