using System.Collections.Immutable;

namespace Mothership.Cloud.Planning;

/// <summary>One service's part of a <see cref="DeployPlan"/>: where it goes, what it waits for, whether it runs.</summary>
public sealed record ServicePlan
{
    public required string Name { get; init; }

    /// <summary>The chart as the catalog names it (<c>keystone@2026.1.0</c> or a path).</summary>
    public required string Chart { get; init; }

    public required string Namespace { get; init; }

    public required string Release { get; init; }

    /// <summary>The services this one waits for (sorted).</summary>
    public ImmutableArray<string> DependsOn { get; init; } = [];

    /// <summary>Why each wait exists.</summary>
    public ImmutableArray<ServiceWait> Edges { get; init; } = [];

    /// <summary>1-based.</summary>
    public int Wave { get; init; }

    /// <summary>Mutually dependent services deployed together (<c>neutron+nova</c>); null when alone.</summary>
    public string? Group { get; init; }

    public bool Changed { get; init; }

    /// <summary>Whether the deploy runs this service (changed, or no base revision).</summary>
    public bool Run { get; init; }

    /// <summary>What changed for it: files, catalog entry, site settings.</summary>
    public ImmutableArray<string> Changes { get; init; } = [];

    public TimeSpan EstimatedDuration { get; init; }

    public bool Test { get; init; }

    public TimeSpan Timeout { get; init; }
}
