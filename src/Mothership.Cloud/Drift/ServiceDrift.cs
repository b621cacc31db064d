using System.Collections.Immutable;

namespace Mothership.Cloud.Drift;

/// <summary>One service's release compared with its desired state.</summary>
public sealed record ServiceDrift
{
    public required string Service { get; init; }

    public required string Release { get; init; }

    public required string Namespace { get; init; }

    public required DriftState State { get; init; }

    /// <summary>The chart the site repository wants, <c>name-version</c> as <c>helm list</c> shows it.</summary>
    public required string DesiredChart { get; init; }

    /// <summary>The chart the release runs (<c>helm list</c>'s <c>chart</c>); null when the release is missing or unknown.</summary>
    public string? DeployedChart { get; init; }

    /// <summary>No release of that name in the namespace.</summary>
    public bool Missing { get; init; }

    /// <summary>The deployed chart version is not the desired one.</summary>
    public bool ChartMismatch => DeployedChart is not null && DeployedChart != DesiredChart;

    /// <summary>Values that differ, by path.</summary>
    public ImmutableArray<ValueDifference> Differences { get; init; } = [];

    /// <summary>Why the state is <see cref="DriftState.Unknown"/>.</summary>
    public string? Error { get; init; }
}
