using System.Diagnostics.CodeAnalysis;

namespace Mothership.Store;

/// <summary>A stored run: its <see cref="RunSummary"/> with what rebuilds and drives it.</summary>
public sealed record RunRecord : RunSummary
{
    public RunRecord()
    {
    }

    /// <summary>The fields of <paramref name="summary"/>, and <paramref name="manifest"/>; the rest as initialized.</summary>
    [SetsRequiredMembers]
    internal RunRecord(RunSummary summary, string manifest)
        : base(summary)
    {
        Manifest = manifest;
    }

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
