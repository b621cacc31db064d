using System.Collections.Immutable;

namespace Mothership.Store;

/// <summary>A stored PipelineRun or TaskRun.</summary>
public sealed record RunRecord
{
    public required string Uid { get; init; }
    /// <summary><c>PipelineRun</c> or <c>TaskRun</c>.</summary>
    public required string Kind { get; init; }
    public required string Name { get; init; }
    /// <summary>The Pipeline (or Task) it runs; empty for an embedded spec.</summary>
    public string Pipeline { get; init; } = "";
    public ImmutableSortedDictionary<string, string> Labels { get; init; } = ImmutableSortedDictionary<string, string>.Empty;
    public required RunPhase Phase { get; init; }
    /// <summary>The Succeeded condition's status: <c>Unknown</c>, <c>True</c>, <c>False</c>.</summary>
    public string Status { get; init; } = "Unknown";
    /// <summary>Tekton's reason: <c>Pending</c>, <c>Running</c>, <c>Succeeded</c>, <c>Failed</c>, <c>Cancelled</c>, …</summary>
    public string Reason { get; init; } = "";
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    /// <summary>Everything needed to rebuild the run: the run and the resources it references, as multi-document YAML.</summary>
    public required string Manifest { get; init; }
    /// <summary>The run object (Tekton's shape, JSON) as of the last transition.</summary>
    public string? Object { get; init; }
    /// <summary>A pending cancel request, until the owner acts on it.</summary>
    public string? CancelRequest { get; init; }
    public string CreatedBy { get; init; } = "";
    /// <summary>The replica driving the run, and until when.</summary>
    public string? Owner { get; init; }
    public DateTimeOffset? LeaseExpiresAt { get; init; }
}
