namespace Mothership.Store;

/// <summary>One service of a site as a deploy installed it: its chart, the chart's version and a digest of its merged values.</summary>
public sealed record SiteServiceState
{
    public required string Service { get; init; }

    /// <summary>The chart as the catalog names it (a path, or a repository chart's name).</summary>
    public required string Chart { get; init; }

    /// <summary>The chart's version (its <c>Chart.yaml</c>'s, or the catalog's pin); empty when unknown.</summary>
    public string Version { get; init; } = "";

    /// <summary><c>sha256:HEX</c> of the merged values, so a change is seen without storing the values (which may hold secrets).</summary>
    public required string ValuesDigest { get; init; }

    /// <summary>The revision it was deployed at (set by the store from the deploy).</summary>
    public string Revision { get; init; } = "";

    /// <summary>When the deploy that installed it finished (set by the store).</summary>
    public DateTimeOffset? DeployedAt { get; init; }
}
