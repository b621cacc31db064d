using System.Collections.Immutable;

namespace Mothership.Store;

/// <summary>
/// A run without its manifest, object, cancel request and lease, as lists return it. Kind, status
/// and reason are the caller's strings: the store compares them, it does not interpret them.
/// Not sealed, unlike the other records: <see cref="RunRecord"/> is a summary with the rest, so
/// the fields both have are declared once.
/// </summary>
public record RunSummary
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
    /// <summary>
    /// Which run object is stored: 0 while the run has none, one more with each write of it. The
    /// same run (uid) with the same version has the same object, so what is made from an object can
    /// be kept under this number and checked from the summary alone.
    /// </summary>
    public long ObjectVersion { get; init; }
}
