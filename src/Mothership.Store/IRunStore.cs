using System.Collections.Immutable;

namespace Mothership.Store;

/// <summary>
/// Durable run history behind one model for SQLite and PostgreSQL: applied Tasks and Pipelines,
/// runs with their status and run object, each run's journal (the engine's decisions, replayed
/// after a crash), step logs, events, an audit trail, leases for scale-out and retention.
/// Knows nothing of Tekton's semantics: documents are opaque text, statuses are strings.
/// Every method throws <see cref="StoreUnavailableException"/> when the database cannot be
/// reached; nothing is half-written (each method is one transaction).
/// </summary>
public interface IRunStore : IAsyncDisposable
{
    /// <summary>"sqlite" or "postgres".</summary>
    string Provider { get; }

    /// <summary>Applies every schema migration not yet applied (idempotent; safe with several replicas starting at once).</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>A cheap round trip, for <c>/readyz</c>.</summary>
    Task PingAsync(CancellationToken cancellationToken);

    // ---- Tasks and Pipelines, applied like `kubectl apply` -------------------------------------

    /// <summary>
    /// Creates or replaces a resource; <see cref="ApplyOutcome.Unchanged"/> when the document is identical
    /// (then nothing is written, not even an audit record). The store sets generation and times.
    /// </summary>
    Task<ApplyOutcome> ApplyResourceAsync(StoredResource resource, string actor, CancellationToken cancellationToken);

    Task<StoredResource?> GetResourceAsync(string kind, string name, CancellationToken cancellationToken);

    /// <summary>All resources of a kind, by name.</summary>
    Task<IReadOnlyList<StoredResource>> ListResourcesAsync(string kind, CancellationToken cancellationToken);

    Task<bool> DeleteResourceAsync(string kind, string name, string actor, CancellationToken cancellationToken);

    // ---- Runs ---------------------------------------------------------------------------------

    /// <summary>Stores a new run (its journal empty); false when a run of that kind and name exists.</summary>
    Task<bool> CreateRunAsync(RunRecord run, string actor, CancellationToken cancellationToken);

    Task<RunRecord?> GetRunAsync(string kind, string name, CancellationToken cancellationToken);

    Task<RunRecord?> GetRunByUidAsync(string uid, CancellationToken cancellationToken);

    /// <summary>
    /// Newest first (creation time, then uid), filtered, one page at a time. Throws
    /// <see cref="ArgumentOutOfRangeException"/> for a limit outside 1..500 and
    /// <see cref="ArgumentException"/> for a cursor this store did not return or a label
    /// requirement with the wrong number of values. <c>!=</c> and <c>notin</c> also match runs
    /// without the key, as in Kubernetes.
    /// </summary>
    Task<RunPage> ListRunsAsync(RunQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Persists one step of a run in one transaction: the journal entry (if any) and the new
    /// status. Fenced: does nothing and returns false unless <see cref="RunTransition.Owner"/>
    /// still holds the run's lease (a replica that lost its lease must stop driving the run).
    /// Also false, with nothing written, when the journal already has an entry with that sequence number.
    /// A null <see cref="RunTransition.StartedAt"/>, <see cref="RunTransition.CompletedAt"/> or
    /// <see cref="RunTransition.Object"/> keeps the stored value.
    /// </summary>
    Task<bool> CommitTransitionAsync(RunTransition transition, CancellationToken cancellationToken);

    /// <summary>The run's journal in order.</summary>
    Task<IReadOnlyList<JournalEntry>> ReadJournalAsync(string uid, CancellationToken cancellationToken);

    /// <summary>Records a cancel request (<c>Cancelled</c>, <c>CancelledRunFinally</c>, <c>StoppedRunFinally</c>) for the owner to act on; false when the run is unknown or finished.</summary>
    Task<bool> RequestCancelAsync(string uid, string request, string actor, CancellationToken cancellationToken);

    /// <summary>Moves a <see cref="RunPhase.Pending"/> run to <see cref="RunPhase.Queued"/>; false when it is not pending.</summary>
    Task<bool> ReleasePendingAsync(string uid, string actor, CancellationToken cancellationToken);

    /// <summary>Deletes a run with its journal, logs and events (the audit record stays).</summary>
    Task<bool> DeleteRunAsync(string uid, string actor, CancellationToken cancellationToken);

    // ---- Logs ---------------------------------------------------------------------------------

    /// <summary>Appends chunks (several lines each) in one transaction; their ids are assigned in order.</summary>
    Task AppendLogsAsync(IReadOnlyList<LogChunk> chunks, CancellationToken cancellationToken);

    /// <summary>Chunks of a run after <see cref="LogQuery.AfterId"/>, in id order.</summary>
    Task<IReadOnlyList<StoredLogChunk>> ReadLogsAsync(LogQuery query, CancellationToken cancellationToken);

    /// <summary>Drops the logs of one container of one attempt: a step that is run again after a crash logs afresh.</summary>
    Task DeleteLogsAsync(string uid, string taskRun, int attempt, string container, CancellationToken cancellationToken);

    // ---- Events and audit ----------------------------------------------------------------------

    Task AddEventAsync(RunEvent runEvent, CancellationToken cancellationToken);

    Task<IReadOnlyList<RunEvent>> ListEventsAsync(string uid, CancellationToken cancellationToken);

    Task AddAuditAsync(AuditRecord record, CancellationToken cancellationToken);

    /// <summary>Newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<AuditRecord>> ListAuditAsync(int limit, CancellationToken cancellationToken);

    // ---- Leases (scale-out) ---------------------------------------------------------------------

    /// <summary>
    /// Claims up to <paramref name="max"/> runs that are <see cref="RunPhase.Queued"/> or
    /// <see cref="RunPhase.Running"/> with no owner or an expired lease, oldest first, for
    /// <paramref name="owner"/> until <c>now + lease</c>. PostgreSQL: <c>SELECT … FOR UPDATE SKIP
    /// LOCKED</c>, so replicas never claim the same run; SQLite: one writer at a time.
    /// </summary>
    Task<IReadOnlyList<ClaimedRun>> ClaimRunsAsync(string owner, int max, TimeSpan lease, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Extends the leases <paramref name="owner"/> still holds; returns the uids it still holds (the others were taken over).</summary>
    Task<IReadOnlyList<string>> RenewLeasesAsync(string owner, IReadOnlyCollection<string> uids, TimeSpan lease, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The pending cancel requests of the runs <paramref name="owner"/> holds: (uid, request).</summary>
    Task<IReadOnlyList<(string Uid, string Request)>> ListCancelRequestsAsync(string owner, CancellationToken cancellationToken);

    /// <summary>
    /// Releases every lease <paramref name="owner"/> holds: called by a replica when it starts, since
    /// a fresh process drives nothing yet (a restart with the same replica id resumes its runs at
    /// once instead of waiting for its old leases to expire). Returns how many were released.
    /// </summary>
    Task<int> ReleaseOwnerAsync(string owner, CancellationToken cancellationToken);

    /// <summary>Gives a run back (e.g. on shutdown) so another replica can claim it at once.</summary>
    Task ReleaseLeaseAsync(string uid, string owner, CancellationToken cancellationToken);

    // ---- Retention and metrics ------------------------------------------------------------------

    /// <summary>
    /// Deletes (or with <paramref name="dryRun"/> only lists) the finished runs the policy says to
    /// delete, with their labels, journal, logs and events, 1,000 runs per transaction. Each deleted
    /// run leaves an audit record (actor <c>retention</c>, action <c>prune</c>).
    /// </summary>
    Task<PruneResult> PruneAsync(RetentionPolicy policy, DateTimeOffset now, bool dryRun, CancellationToken cancellationToken);

    /// <summary>How many runs there are per (kind, phase, reason), for <c>/metrics</c>.</summary>
    Task<IReadOnlyList<RunCount>> CountRunsAsync(CancellationToken cancellationToken);
}

/// <summary>What <see cref="IRunStore.ApplyResourceAsync"/> did, in kubectl's words.</summary>
public enum ApplyOutcome
{
    Created,
    Configured,
    Unchanged,
}

/// <summary>An applied Task or Pipeline: its YAML as submitted (one document).</summary>
public sealed record StoredResource
{
    public required string Kind { get; init; }
    public required string Name { get; init; }
    public required string Document { get; init; }
    /// <summary>Starts at 1, grows by one with every change.</summary>
    public long Generation { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>Where a run is in its life, for the store's queries (Tekton's condition says how it went).</summary>
public enum RunPhase
{
    /// <summary>Created with <c>spec.status: PipelineRunPending</c>: waits for a start.</summary>
    Pending,
    /// <summary>Waiting for a server to claim it.</summary>
    Queued,
    Running,
    Finished,
}

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

/// <summary>A run without its manifest and object, as lists return it.</summary>
public sealed record RunSummary
{
    public required string Uid { get; init; }
    public required string Kind { get; init; }
    public required string Name { get; init; }
    public string Pipeline { get; init; } = "";
    public ImmutableSortedDictionary<string, string> Labels { get; init; } = ImmutableSortedDictionary<string, string>.Empty;
    public required RunPhase Phase { get; init; }
    public string Status { get; init; } = "Unknown";
    public string Reason { get; init; } = "";
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
}

/// <summary>Kubernetes label selector operators.</summary>
public enum LabelOperator
{
    Equals,
    NotEquals,
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

/// <summary>One requirement of a label selector (<c>app=web</c>, <c>tier in (a,b)</c>, <c>!canary</c>).</summary>
public sealed record LabelRequirement(string Key, LabelOperator Operator, ImmutableArray<string> Values);

/// <summary>Filters and page of <see cref="IRunStore.ListRunsAsync"/>; every filter is optional.</summary>
public sealed record RunQuery
{
    public string? Kind { get; init; }
    public string? Pipeline { get; init; }
    public RunPhase? Phase { get; init; }
    /// <summary>Runs whose reason is one of these.</summary>
    public ImmutableArray<string> Reasons { get; init; } = [];
    public ImmutableArray<LabelRequirement> Labels { get; init; } = [];
    /// <summary>Created at or after.</summary>
    public DateTimeOffset? Since { get; init; }
    /// <summary>Created before.</summary>
    public DateTimeOffset? Until { get; init; }
    /// <summary>1 to 500. Default 50.</summary>
    public int Limit { get; init; } = 50;
    /// <summary>The <see cref="RunPage.NextCursor"/> of the previous page.</summary>
    public string? Cursor { get; init; }
}

/// <summary>A page of runs; <see cref="NextCursor"/> is null on the last page.</summary>
public sealed record RunPage(IReadOnlyList<RunSummary> Items, string? NextCursor);

/// <summary>One persisted step of a run (see <see cref="IRunStore.CommitTransitionAsync"/>).</summary>
public sealed record RunTransition
{
    public required string Uid { get; init; }
    public required string Owner { get; init; }
    /// <summary>The journal entry's sequence number (0, 1, …); ignored without an entry.</summary>
    public long Seq { get; init; }
    /// <summary>The engine's record of this step (opaque JSON); null for a status-only update.</summary>
    public string? JournalEntry { get; init; }
    public required RunPhase Phase { get; init; }
    public required string Status { get; init; }
    public required string Reason { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    public string? Object { get; init; }
    /// <summary>True once the engine has acted on <see cref="RunRecord.CancelRequest"/>: clears it.</summary>
    public bool CancelHandled { get; init; }
}

/// <summary>A journal entry as stored.</summary>
public sealed record JournalEntry(long Seq, string Entry);

/// <summary>Lines of one container of one TaskRun attempt; <see cref="FirstLine"/> numbers the first line (from 0) within that container.</summary>
public sealed record LogChunk
{
    public required string Uid { get; init; }
    public required string TaskRun { get; init; }
    public int Attempt { get; init; }
    public required string Container { get; init; }
    public required long FirstLine { get; init; }
    /// <summary>The lines, each ended by <c>\n</c>.</summary>
    public required string Text { get; init; }
    public required DateTimeOffset Time { get; init; }
}

/// <summary>A stored chunk with its id (increasing in append order across the whole store).</summary>
public sealed record StoredLogChunk(long Id, LogChunk Chunk);

/// <summary>Which logs to read.</summary>
public sealed record LogQuery
{
    public required string Uid { get; init; }
    public string? TaskRun { get; init; }
    public string? Container { get; init; }
    public long AfterId { get; init; }
    /// <summary>Default 1000 chunks.</summary>
    public int Limit { get; init; } = 1000;
}

/// <summary>A Kubernetes-style event of a run (<c>Normal</c>/<c>Warning</c>, a reason, a message).</summary>
public sealed record RunEvent(string Uid, DateTimeOffset Time, string Type, string Reason, string Message);

/// <summary>Who did what to which object; kept when the object is deleted.</summary>
public sealed record AuditRecord(DateTimeOffset Time, string Actor, string Action, string Kind, string Name, string? Uid, string Detail);

/// <summary>A run claimed by <see cref="IRunStore.ClaimRunsAsync"/>; <see cref="PreviousOwner"/> is set on a takeover.</summary>
public sealed record ClaimedRun(RunRecord Run, string? PreviousOwner);

/// <summary>
/// How long finished runs are kept. Successful and failed runs are counted apart; a run is
/// deleted when any rule that applies to it says so. Unset rules keep everything.
/// </summary>
public sealed record RetentionRule
{
    /// <summary>Keep at most this many successful runs per pipeline (newest first).</summary>
    public int? KeepLast { get; init; }
    /// <summary>Keep at most this many failed runs per pipeline; default <see cref="KeepLast"/>.</summary>
    public int? KeepLastFailed { get; init; }
    /// <summary>Delete successful runs completed longer ago than this.</summary>
    public TimeSpan? MaxAge { get; init; }
    /// <summary>Delete failed runs completed longer ago than this; default <see cref="MaxAge"/>.</summary>
    public TimeSpan? FailedMaxAge { get; init; }
}

/// <summary>A global rule and rules per pipeline (which replace the global one for that pipeline).</summary>
public sealed record RetentionPolicy
{
    public RetentionRule Default { get; init; } = new();
    public ImmutableDictionary<string, RetentionRule> Pipelines { get; init; } = ImmutableDictionary<string, RetentionRule>.Empty;
}

/// <summary>What a prune deleted (or would delete).</summary>
public sealed record PruneResult(IReadOnlyList<RunSummary> Runs, int LogChunks);

/// <summary>One row of <see cref="IRunStore.CountRunsAsync"/>.</summary>
public sealed record RunCount(string Kind, RunPhase Phase, string Reason, long Count);

/// <summary>The database cannot be reached or refused the operation for infrastructure reasons; the API answers 503.</summary>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
