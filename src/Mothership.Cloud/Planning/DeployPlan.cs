using System.Collections.Immutable;
using Mothership.Model.Diagnostics;

namespace Mothership.Cloud.Planning;

/// <summary>What a deploy of one site will do (made by <see cref="DeployPlanner"/>): services, their order, and which of them run.</summary>
public sealed record DeployPlan
{
    public required string Site { get; init; }

    /// <summary>The base revision changes are measured from; null when every service runs.</summary>
    public string? From { get; init; }

    /// <summary>The revision planned (<c>working tree</c> when none was named).</summary>
    public required string To { get; init; }

    /// <summary>Services in wave order, then by name.</summary>
    public ImmutableArray<ServicePlan> Services { get; init; } = [];

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

    public ServicePlan? Find(string name) => Services.FirstOrDefault(s => s.Name == name);
}
