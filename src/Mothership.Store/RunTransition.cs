namespace Mothership.Store;

/// <summary>One persisted step of a run (see <see cref="IRunStore.CommitTransitionAsync"/>).</summary>
public sealed record RunTransition
{
    public required string Uid { get; init; }
    public required string Owner { get; init; }
    /// <summary>The sequence number (0, 1, …) of the first of <see cref="JournalEntries"/>; ignored without entries.</summary>
    public long Seq { get; init; }
    /// <summary>
    /// The engine's records of this step (opaque JSON), stored at <see cref="Seq"/>, <c>Seq + 1</c>,
    /// … in the one transaction; none for a status-only update.
    /// </summary>
    public IReadOnlyList<string> JournalEntries { get; init; } = [];
    public required RunPhase Phase { get; init; }
    public required string Status { get; init; }
    public required string Reason { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    public string? Object { get; init; }
    /// <summary>True once the engine has acted on <see cref="RunRecord.CancelRequest"/>: clears it.</summary>
    public bool CancelHandled { get; init; }
    /// <summary>
    /// Events of the run stored in the same transaction (nothing when the commit is fenced): a
    /// run's Started and finished events cost no write of their own.
    /// </summary>
    public IReadOnlyList<RunEvent> Events { get; init; } = [];
}
