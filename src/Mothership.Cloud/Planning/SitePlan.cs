using System.Collections.Immutable;
using Mothership.Model.Diagnostics;

namespace Mothership.Cloud.Planning;

/// <summary>What a deploy of one site will do: services, their order, and which of them run.</summary>
public sealed record SitePlan
{
    public required string Site { get; init; }

    /// <summary>The base revision changes are measured from; null when every service runs.</summary>
    public string? From { get; init; }

    /// <summary>The revision planned (<c>working tree</c> when none was named).</summary>
    public required string To { get; init; }

    /// <summary>Services in wave order, then by name.</summary>
    public ImmutableArray<PlannedService> Services { get; init; } = [];

    /// <summary>Services that can be deployed together, wave by wave.</summary>
    public ImmutableArray<ImmutableArray<string>> Waves { get; init; } = [];

    public ImmutableArray<ExternalNeed> External { get; init; } = [];

    public ImmutableArray<IgnoredEdge> Ignored { get; init; } = [];

    /// <summary>Services enabled at <see cref="From"/> and not any more: a deploy leaves them alone.</summary>
    public ImmutableArray<string> Removed { get; init; } = [];

    /// <summary>The longest chain of services that run, by estimated duration.</summary>
    public required CriticalPath CriticalPath { get; init; }

    /// <summary>Warnings (external needs, edges that drop nothing) and errors (a cycle made by cloud.yaml).</summary>
    public ImmutableArray<Diagnostic> Diagnostics { get; init; } = [];

    public PlannedService? Find(string name) => Services.FirstOrDefault(s => s.Name == name);
}

/// <summary>One service of the plan.</summary>
public sealed record PlannedService
{
    public required string Name { get; init; }

    /// <summary>The chart as the catalog names it (<c>keystone@2026.1.0</c> or a path).</summary>
    public required string Chart { get; init; }

    public required string Namespace { get; init; }

    public required string Release { get; init; }

    /// <summary>The services this one waits for (sorted).</summary>
    public ImmutableArray<string> DependsOn { get; init; } = [];

    /// <summary>Why each wait exists.</summary>
    public ImmutableArray<PlannedEdge> Edges { get; init; } = [];

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

/// <summary>A wait of <paramref name="From"/> on <paramref name="To"/> and where it was declared.</summary>
public sealed record PlannedEdge(string From, string To, string Origin);

/// <summary>A wait on something the site does not deploy.</summary>
public sealed record ExternalNeed(string Service, string Needs, string Reason, bool Acknowledged);

/// <summary>An edge the charts declare that <c>cloud.yaml</c> drops.</summary>
public sealed record IgnoredEdge(string Service, string DependsOn, string Reason);

/// <summary>The chain of services that bounds the deploy's duration.</summary>
public sealed record CriticalPath(ImmutableArray<string> Services, TimeSpan Duration);
