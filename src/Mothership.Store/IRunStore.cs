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
    /// The run without its manifest and object (megabytes for a big pipeline): what a reader that
    /// only needs the phase and status, such as a log follower, reads many times a second.
    /// </summary>
    Task<RunSummary?> GetRunSummaryAsync(string uid, CancellationToken cancellationToken);

    /// <summary>The run of that kind and name without its manifest and object (see <see cref="GetRunSummaryAsync(string, CancellationToken)"/>).</summary>
    Task<RunSummary?> GetRunSummaryAsync(string kind, string name, CancellationToken cancellationToken);

    /// <summary>
    /// Newest first (creation time, then uid), filtered, one page at a time. Throws
    /// <see cref="ArgumentOutOfRangeException"/> for a limit outside 1..500 and
    /// <see cref="ArgumentException"/> for a cursor this store did not return or a label
    /// requirement with the wrong number of values. <c>!=</c> and <c>notin</c> also match runs
    /// without the key, as in Kubernetes.
    /// </summary>
    Task<RunPage> ListRunsAsync(RunQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Persists one step of a run in one transaction: the journal entries (if any) and the new
    /// status. Fenced: does nothing and returns false unless <see cref="RunTransition.Owner"/>
    /// still holds the run's lease (a replica that lost its lease must stop driving the run).
    /// Also false, with nothing written, when the journal already has an entry with one of those sequence numbers.
    /// A null <see cref="RunTransition.StartedAt"/>, <see cref="RunTransition.CompletedAt"/> or
    /// <see cref="RunTransition.Object"/> keeps the stored value.
    /// </summary>
    Task<bool> CommitTransitionAsync(RunTransition transition, CancellationToken cancellationToken);

    /// <summary>The run's journal in order.</summary>
    Task<IReadOnlyList<JournalEntry>> ReadJournalAsync(string uid, CancellationToken cancellationToken);

    /// <summary>
    /// Records a cancel request for the owner to act on; false when the run is unknown or finished.
    /// The request is the caller's string, stored as given: which requests exist is the caller's to check.
    /// </summary>
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
    /// <see cref="RunPhase.Running"/> with no owner or an expired lease (a takeover), for
    /// <paramref name="owner"/> until <c>now + lease</c>, fairly across pipelines: a run's turn is
    /// its rank among its pipeline's claimable runs (oldest first, so also how many of them this
    /// claim picks before it) plus the pipeline's runs leased now (by any replica); lowest turn
    /// first, ties by creation time and uid. So a pipeline that queued thousands of runs first
    /// delays another's next run by about one run, not by its whole backlog, and a pipeline with
    /// many runs in flight yields to one with few. Returned in that order. PostgreSQL: the picked
    /// rows are locked with <c>FOR UPDATE SKIP LOCKED</c> and re-checked, so replicas never claim
    /// the same run; SQLite: one writer at a time.
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

    /// <summary>
    /// Stores a webhook delivery, pending; false when a delivery of the same id was stored
    /// before (a redelivery, or the same event through two hooks), which is then left as it was.
    /// </summary>
    Task<bool> AddDeliveryAsync(WebhookDelivery delivery, CancellationToken cancellationToken);

    /// <summary>
    /// Leases up to <paramref name="max"/> pending deliveries to <paramref name="owner"/>, oldest
    /// first: those nobody holds or whose lease ended before <paramref name="now"/>, and whose
    /// retry time has come. Each one's attempt count goes up by one.
    /// </summary>
    Task<IReadOnlyList<WebhookDelivery>> ClaimDeliveriesAsync(string owner, int max, TimeSpan lease, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Ends <paramref name="owner"/>'s lease on a delivery: handled with <paramref name="outcome"/>
    /// when <paramref name="retryAt"/> is null, else pending again from that time (the outcome
    /// kept as the last error). False when the owner no longer holds it.
    /// </summary>
    Task<bool> FinishDeliveryAsync(string id, string owner, string outcome, DateTimeOffset? retryAt, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>One delivery by id; null when none was stored.</summary>
    Task<WebhookDelivery?> GetDeliveryAsync(string id, CancellationToken cancellationToken);

    /// <summary>The latest <paramref name="limit"/> deliveries, newest first, without their payloads.</summary>
    Task<IReadOnlyList<WebhookDelivery>> ListDeliveriesAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Stores the result of a CI job's run when it starts; false when one exists for that run.</summary>
    Task<bool> AddJobResultAsync(JobResult result, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> results not yet final, oldest first, each with its run as it stands.</summary>
    Task<IReadOnlyList<JobResultSync>> ListJobResultsToSyncAsync(int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Records a result's state and what was reported of it (<paramref name="done"/>: nothing more
    /// to report); false when there is no such result.
    /// </summary>
    Task<bool> UpdateJobResultAsync(string uid, string state, string reported, bool done, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Results matching <paramref name="query"/>, newest first.</summary>
    Task<IReadOnlyList<JobResult>> ListJobResultsAsync(JobResultQuery query, CancellationToken cancellationToken);

    /// <summary>Stores a pull request as a webhook showed it, replacing what was stored of it.</summary>
    Task UpsertPullRequestAsync(PullRequestRecord pullRequest, CancellationToken cancellationToken);

    /// <summary>A stored pull request; null when none was recorded.</summary>
    Task<PullRequestRecord?> GetPullRequestAsync(string repository, int number, CancellationToken cancellationToken);

    // ---- Sites: deploys, their history and what each site runs --------------------------------

    /// <summary>
    /// Starts a deploy of <see cref="SiteDeploy.Site"/> in one transaction: takes the site's deploy
    /// lock (one row per site, so at most one deploy per site across replicas), stores
    /// <paramref name="run"/> as <see cref="CreateRunAsync"/> does (as <see cref="SiteDeploy.Actor"/>)
    /// and records the deploy in the site's history, unfinished. Nothing is written unless all are.
    /// </summary>
    Task<SiteDeployStart> StartSiteDeployAsync(SiteDeploy deploy, RunRecord run, CancellationToken cancellationToken);

    /// <summary>
    /// Records how an unfinished deploy ended and releases its site's lock, in one transaction:
    /// the site's latest result always; with <paramref name="deployed"/> (and not a dry run) also the
    /// site's revision and each service the deploy ran. False, with nothing written, when the
    /// deploy is unknown or already finished (so several replicas record an end once).
    /// </summary>
    Task<bool> FinishSiteDeployAsync(string id, string result, bool deployed, DateTimeOffset? startedAt, DateTimeOffset finishedAt, CancellationToken cancellationToken);

    /// <summary>Every unfinished deploy (each holds its site's lock), oldest first.</summary>
    Task<IReadOnlyList<SiteDeploy>> ListActiveSiteDeploysAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Claims up to <paramref name="limit"/> finished deploys whose follow-up is not done, that nobody
    /// holds a claim on past <paramref name="now"/>: each is claimed until <paramref name="claimUntil"/> (once across
    /// replicas) and counts one more attempt (<see cref="SiteDeploy.FollowUpAttempts"/>), oldest first.
    /// </summary>
    Task<IReadOnlyList<SiteDeploy>> ClaimSiteDeployFollowUpsAsync(DateTimeOffset now, DateTimeOffset claimUntil, int limit,
        CancellationToken cancellationToken);

    /// <summary>The follow-up of a finished deploy is done (or given up): no replica takes it again. False when it was already.</summary>
    Task<bool> FinishSiteDeployFollowUpAsync(string id, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>A site's deploys, newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<SiteDeploy>> ListSiteDeploysAsync(string site, int limit, CancellationToken cancellationToken);

    /// <summary>What a site runs; null when no deploy of it has finished.</summary>
    Task<SiteState?> GetSiteStateAsync(string site, CancellationToken cancellationToken);

    /// <summary>Every site with a finished deploy, by name.</summary>
    Task<IReadOnlyList<SiteState>> ListSiteStatesAsync(CancellationToken cancellationToken);

    // ---- Drift: the latest check of each site ---------------------------------------------------

    /// <summary>
    /// Stores <paramref name="report"/> as its site's latest drift check, unless a check made later
    /// (<see cref="SiteDriftReport.CheckedAt"/>) is stored already; true when it was stored.
    /// </summary>
    Task<bool> RecordSiteDriftAsync(SiteDriftReport report, CancellationToken cancellationToken);

    /// <summary>A site's latest drift check; null when it was never checked.</summary>
    Task<SiteDriftReport?> GetSiteDriftAsync(string site, CancellationToken cancellationToken);

    /// <summary>Every site's latest drift check, by site name.</summary>
    Task<IReadOnlyList<SiteDriftReport>> ListSiteDriftsAsync(CancellationToken cancellationToken);

    // ---- Personal API tokens --------------------------------------------------------------------

    /// <summary>Stores a new token (its hash, never its text). Ids and hashes are unique.</summary>
    Task CreateApiTokenAsync(ApiToken token, CancellationToken cancellationToken);

    /// <summary>The token whose SHA-256 is <paramref name="hash"/> (lower-case hex), revoked or expired ones too; null when none.</summary>
    Task<ApiToken?> FindApiTokenAsync(string hash, CancellationToken cancellationToken);

    /// <summary>The token with this id; null when none.</summary>
    Task<ApiToken?> GetApiTokenAsync(string id, CancellationToken cancellationToken);

    /// <summary>Tokens of <paramref name="owner"/> (every owner's when null), oldest first.</summary>
    Task<IReadOnlyList<ApiToken>> ListApiTokensAsync(string? owner, CancellationToken cancellationToken);

    /// <summary>Revokes a token at <paramref name="now"/>; false when there is no such token or it was already revoked (the first revocation's time stays).</summary>
    Task<bool> RevokeApiTokenAsync(string id, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Records that a token was used at <paramref name="now"/>, unless it was recorded less than
    /// <paramref name="interval"/> before (so a busy token does not write on every request);
    /// true when it wrote.
    /// </summary>
    Task<bool> TouchApiTokenAsync(string id, DateTimeOffset now, TimeSpan interval, CancellationToken cancellationToken);

    // ---- Rollouts: one environment, one revision, wave by wave ----------------------------------

    /// <summary>
    /// Stores a new rollout with its first events, in one transaction; refused (nothing written)
    /// when its name is taken or another rollout of its environment is active.
    /// </summary>
    Task<RolloutCreateOutcome> CreateRolloutAsync(RolloutRecord rollout, IReadOnlyList<RolloutEventRecord> events, CancellationToken cancellationToken);

    /// <summary>The rollout named so; null when none.</summary>
    Task<RolloutRecord?> GetRolloutAsync(string name, CancellationToken cancellationToken);

    /// <summary>Rollouts, newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<RolloutRecord>> ListRolloutsAsync(int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the rollout's status, reason, activity, document and wake time and appends
    /// <paramref name="events"/>, in one transaction, only when it is still at
    /// <paramref name="expectedVersion"/> (then its version becomes one more); false, with nothing
    /// written, when another write came first. The lease is left as it is.
    /// </summary>
    Task<bool> UpdateRolloutAsync(RolloutRecord rollout, long expectedVersion, IReadOnlyList<RolloutEventRecord> events, CancellationToken cancellationToken);

    /// <summary>
    /// Takes or renews the lease of every active rollout that no other replica holds (or whose
    /// lease expired) for <paramref name="owner"/> until <paramref name="now"/> + <paramref name="lease"/>,
    /// and returns them, oldest first.
    /// </summary>
    Task<IReadOnlyList<RolloutRecord>> ClaimRolloutsAsync(string owner, TimeSpan lease, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>A rollout's events in the order they were written.</summary>
    Task<IReadOnlyList<RolloutEventRecord>> ListRolloutEventsAsync(string name, CancellationToken cancellationToken);
}
