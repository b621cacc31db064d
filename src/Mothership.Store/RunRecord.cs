using System.Collections.Immutable;

namespace Mothership.Store;

/// <summary>A stored run. Kind, status, reason and cancel request are the caller's strings: the store compares them, it does not interpret them.</summary>
public sealed record RunRecord
{
    public required string Uid { get; init; }
    /// <summary>The run's kind (the server stores <c>PipelineRun</c> or <c>TaskRun</c>).</summary>
    public required string Kind { get; init; }
    public required string Name { get; init; }
    /// <summary>The Pipeline (or Task) it runs; empty for an embedded spec.</summary>
    public string Pipeline { get; init; } = "";
    public ImmutableSortedDictionary<string, string> Labels { get; init; } = ImmutableSortedDictionary<string, string>.Empty;
    public required RunPhase Phase { get; init; }
    /// <summary>How the run stands (the server stores the Succeeded condition's status: <c>Unknown</c>, <c>True</c>, <c>False</c>).</summary>
    public required string Status { get; init; }
    /// <summary>Why it stands so (the server stores Tekton's reason: <c>Running</c>, <c>Succeeded</c>, <c>Failed</c>, …).</summary>
    public string Reason { get; init; } = "";
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    /// <summary>Everything needed to rebuild the run: the run and the resources it references, as multi-document YAML.</summary>
    public required string Manifest { get; init; }
    /// <summary>The run object (opaque JSON) as of the last transition.</summary>
    public string? Object { get; init; }
    /// <summary>A pending cancel request (the caller's string, see <see cref="IRunStore.RequestCancelAsync"/>), until the owner acts on it.</summary>
    public string? CancelRequest { get; init; }
    public string CreatedBy { get; init; } = "";
    /// <summary>The replica driving the run, and until when.</summary>
    public string? Owner { get; init; }
    public DateTimeOffset? LeaseExpiresAt { get; init; }
}
