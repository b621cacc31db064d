using System.Collections.Immutable;

namespace Mothership.Store;

/// <summary>One service of a <see cref="SiteDriftReport"/>: its release compared with the desired state.</summary>
public sealed record SiteDriftService
{
    public required string Service { get; init; }

    public required string Release { get; init; }

    public required string Namespace { get; init; }

    /// <summary><c>InSync</c>, <c>OutOfSync</c> or <c>Unknown</c>.</summary>
    public required string State { get; init; }

    /// <summary>The chart the site repository wants, <c>name-version</c>.</summary>
    public required string DesiredChart { get; init; }

    /// <summary>The chart the release runs; null when it is missing or could not be asked.</summary>
    public string? DeployedChart { get; init; }

    /// <summary>No release of that name in the namespace.</summary>
    public bool Missing { get; init; }

    /// <summary>Values that differ, by path; secret values masked.</summary>
    public ImmutableArray<SiteDriftDifference> Differences { get; init; } = [];

    /// <summary>Why the service could not be checked.</summary>
    public string? Error { get; init; }

    /// <summary>The release runs another chart version than the desired one.</summary>
    public bool ChartMismatch => DeployedChart is not null && DeployedChart != DesiredChart;
}
