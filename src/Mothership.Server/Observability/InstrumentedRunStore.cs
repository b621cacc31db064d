using System.Diagnostics;
using Mothership.Store;

namespace Mothership.Server.Observability;

/// <summary>Measures every store operation (<c>mothership_store_operation_duration_seconds</c>) and counts outages.</summary>
internal sealed class InstrumentedRunStore(IRunStore inner, ServerMetrics metrics) : IRunStore
{
    public string Provider => inner.Provider;

    private async Task<T> Measure<T>(string operation, Func<Task<T>> call)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (StoreUnavailableException)
        {
            metrics.StoreErrors.WithLabels(operation).Inc();
            throw;
        }
        finally
        {
            metrics.StoreLatency.WithLabels(operation).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    private Task Measure(string operation, Func<Task> call) => Measure(operation, async () =>
    {
        await call().ConfigureAwait(false);
        return true;
    });

    public Task MigrateAsync(CancellationToken cancellationToken) => Measure("migrate", () => inner.MigrateAsync(cancellationToken));
    public Task PingAsync(CancellationToken cancellationToken) => Measure("ping", () => inner.PingAsync(cancellationToken));
    public Task<ApplyOutcome> ApplyResourceAsync(StoredResource resource, string actor, CancellationToken cancellationToken) => Measure("apply_resource", () => inner.ApplyResourceAsync(resource, actor, cancellationToken));
    public Task<StoredResource?> GetResourceAsync(string kind, string name, CancellationToken cancellationToken) => Measure("get_resource", () => inner.GetResourceAsync(kind, name, cancellationToken));
    public Task<IReadOnlyList<StoredResource>> ListResourcesAsync(string kind, CancellationToken cancellationToken) => Measure("list_resources", () => inner.ListResourcesAsync(kind, cancellationToken));
    public Task<bool> DeleteResourceAsync(string kind, string name, string actor, CancellationToken cancellationToken) => Measure("delete_resource", () => inner.DeleteResourceAsync(kind, name, actor, cancellationToken));
    public Task<bool> CreateRunAsync(RunRecord run, string actor, CancellationToken cancellationToken) => Measure("create_run", () => inner.CreateRunAsync(run, actor, cancellationToken));
    public Task<RunRecord?> GetRunAsync(string kind, string name, CancellationToken cancellationToken) => Measure("get_run", () => inner.GetRunAsync(kind, name, cancellationToken));
    public Task<RunRecord?> GetRunByUidAsync(string uid, CancellationToken cancellationToken) => Measure("get_run", () => inner.GetRunByUidAsync(uid, cancellationToken));
    public Task<RunSummary?> GetRunSummaryAsync(string uid, CancellationToken cancellationToken) => Measure("get_run_summary", () => inner.GetRunSummaryAsync(uid, cancellationToken));
    public Task<RunSummary?> GetRunSummaryAsync(string kind, string name, CancellationToken cancellationToken) => Measure("get_run_summary", () => inner.GetRunSummaryAsync(kind, name, cancellationToken));
    public Task<RunPage> ListRunsAsync(RunQuery query, CancellationToken cancellationToken) => Measure("list_runs", () => inner.ListRunsAsync(query, cancellationToken));
    public Task<bool> CommitTransitionAsync(RunTransition transition, CancellationToken cancellationToken) => Measure("commit_transition", () => inner.CommitTransitionAsync(transition, cancellationToken));
    public Task<IReadOnlyList<JournalEntry>> ReadJournalAsync(string uid, CancellationToken cancellationToken) => Measure("read_journal", () => inner.ReadJournalAsync(uid, cancellationToken));
    public Task<bool> RequestCancelAsync(string uid, string request, string actor, CancellationToken cancellationToken) => Measure("request_cancel", () => inner.RequestCancelAsync(uid, request, actor, cancellationToken));
    public Task<bool> ReleasePendingAsync(string uid, string actor, CancellationToken cancellationToken) => Measure("release_pending", () => inner.ReleasePendingAsync(uid, actor, cancellationToken));
    public Task<bool> DeleteRunAsync(string uid, string actor, CancellationToken cancellationToken) => Measure("delete_run", () => inner.DeleteRunAsync(uid, actor, cancellationToken));
    public Task AppendLogsAsync(IReadOnlyList<LogChunk> chunks, CancellationToken cancellationToken) => Measure("append_logs", () => inner.AppendLogsAsync(chunks, cancellationToken));
    public Task<IReadOnlyList<StoredLogChunk>> ReadLogsAsync(LogQuery query, CancellationToken cancellationToken) => Measure("read_logs", () => inner.ReadLogsAsync(query, cancellationToken));
    public Task DeleteLogsAsync(string uid, string taskRun, int attempt, string container, CancellationToken cancellationToken) => Measure("delete_logs", () => inner.DeleteLogsAsync(uid, taskRun, attempt, container, cancellationToken));
    public Task AddEventAsync(RunEvent runEvent, CancellationToken cancellationToken) => Measure("add_event", () => inner.AddEventAsync(runEvent, cancellationToken));
    public Task<IReadOnlyList<RunEvent>> ListEventsAsync(string uid, CancellationToken cancellationToken) => Measure("list_events", () => inner.ListEventsAsync(uid, cancellationToken));
    public Task AddAuditAsync(AuditRecord record, CancellationToken cancellationToken) => Measure("add_audit", () => inner.AddAuditAsync(record, cancellationToken));
    public Task<IReadOnlyList<AuditRecord>> ListAuditAsync(int limit, CancellationToken cancellationToken) => Measure("list_audit", () => inner.ListAuditAsync(limit, cancellationToken));
    public Task<IReadOnlyList<ClaimedRun>> ClaimRunsAsync(string owner, int max, TimeSpan lease, DateTimeOffset now, CancellationToken cancellationToken) => Measure("claim_runs", () => inner.ClaimRunsAsync(owner, max, lease, now, cancellationToken));
    public Task<IReadOnlyList<string>> RenewLeasesAsync(string owner, IReadOnlyCollection<string> uids, TimeSpan lease, DateTimeOffset now, CancellationToken cancellationToken) => Measure("renew_leases", () => inner.RenewLeasesAsync(owner, uids, lease, now, cancellationToken));
    public Task<IReadOnlyList<(string Uid, string Request)>> ListCancelRequestsAsync(string owner, CancellationToken cancellationToken) => Measure("list_cancel_requests", () => inner.ListCancelRequestsAsync(owner, cancellationToken));
    public Task<int> ReleaseOwnerAsync(string owner, CancellationToken cancellationToken) => Measure("release_owner", () => inner.ReleaseOwnerAsync(owner, cancellationToken));
    public Task ReleaseLeaseAsync(string uid, string owner, CancellationToken cancellationToken) => Measure("release_lease", () => inner.ReleaseLeaseAsync(uid, owner, cancellationToken));

    public Task<bool> AddDeliveryAsync(WebhookDelivery delivery, CancellationToken cancellationToken) => Measure("add_delivery", () => inner.AddDeliveryAsync(delivery, cancellationToken));

    public Task<IReadOnlyList<WebhookDelivery>> ClaimDeliveriesAsync(string owner, int max, TimeSpan lease, DateTimeOffset now, CancellationToken cancellationToken) => Measure("claim_deliveries", () => inner.ClaimDeliveriesAsync(owner, max, lease, now, cancellationToken));

    public Task<bool> FinishDeliveryAsync(string id, string owner, string outcome, DateTimeOffset? retryAt, DateTimeOffset now, CancellationToken cancellationToken) => Measure("finish_delivery", () => inner.FinishDeliveryAsync(id, owner, outcome, retryAt, now, cancellationToken));

    public Task<WebhookDelivery?> GetDeliveryAsync(string id, CancellationToken cancellationToken) => Measure("get_delivery", () => inner.GetDeliveryAsync(id, cancellationToken));

    public Task<IReadOnlyList<WebhookDelivery>> ListDeliveriesAsync(int limit, CancellationToken cancellationToken) => Measure("list_deliveries", () => inner.ListDeliveriesAsync(limit, cancellationToken));

    public Task<bool> AddJobResultAsync(JobResult result, CancellationToken cancellationToken) => Measure("add_job_result", () => inner.AddJobResultAsync(result, cancellationToken));

    public Task<IReadOnlyList<JobResultSync>> ListJobResultsToSyncAsync(int limit, CancellationToken cancellationToken) => Measure("list_job_results_to_sync", () => inner.ListJobResultsToSyncAsync(limit, cancellationToken));

    public Task<bool> UpdateJobResultAsync(string uid, string state, string reported, bool done, DateTimeOffset now, CancellationToken cancellationToken) => Measure("update_job_result", () => inner.UpdateJobResultAsync(uid, state, reported, done, now, cancellationToken));

    public Task<IReadOnlyList<JobResult>> ListJobResultsAsync(JobResultQuery query, CancellationToken cancellationToken) => Measure("list_job_results", () => inner.ListJobResultsAsync(query, cancellationToken));
    public Task<PruneResult> PruneAsync(RetentionPolicy policy, DateTimeOffset now, bool dryRun, CancellationToken cancellationToken) => Measure("prune", () => inner.PruneAsync(policy, now, dryRun, cancellationToken));
    public Task<IReadOnlyList<RunCount>> CountRunsAsync(CancellationToken cancellationToken) => Measure("count_runs", () => inner.CountRunsAsync(cancellationToken));
    public Task UpsertPullRequestAsync(PullRequestRecord pullRequest, CancellationToken cancellationToken) => Measure("upsert_pull_request", () => inner.UpsertPullRequestAsync(pullRequest, cancellationToken));
    public Task CreateApiTokenAsync(ApiToken token, CancellationToken cancellationToken) => Measure("create_api_token", () => inner.CreateApiTokenAsync(token, cancellationToken));
    public Task<ApiToken?> FindApiTokenAsync(string hash, CancellationToken cancellationToken) => Measure("find_api_token", () => inner.FindApiTokenAsync(hash, cancellationToken));
    public Task<ApiToken?> GetApiTokenAsync(string id, CancellationToken cancellationToken) => Measure("get_api_token", () => inner.GetApiTokenAsync(id, cancellationToken));
    public Task<IReadOnlyList<ApiToken>> ListApiTokensAsync(string? owner, CancellationToken cancellationToken) => Measure("list_api_tokens", () => inner.ListApiTokensAsync(owner, cancellationToken));
    public Task<bool> RevokeApiTokenAsync(string id, DateTimeOffset now, CancellationToken cancellationToken) => Measure("revoke_api_token", () => inner.RevokeApiTokenAsync(id, now, cancellationToken));
    public Task<bool> TouchApiTokenAsync(string id, DateTimeOffset now, TimeSpan interval, CancellationToken cancellationToken) => Measure("touch_api_token", () => inner.TouchApiTokenAsync(id, now, interval, cancellationToken));
    public Task<PullRequestRecord?> GetPullRequestAsync(string repository, int number, CancellationToken cancellationToken) => Measure("get_pull_request", () => inner.GetPullRequestAsync(repository, number, cancellationToken));
    public ValueTask DisposeAsync() => inner.DisposeAsync();
    public Task<SiteDeployStart> StartSiteDeployAsync(SiteDeploy deploy, RunRecord run, CancellationToken cancellationToken) => Measure("start_site_deploy", () => inner.StartSiteDeployAsync(deploy, run, cancellationToken));
    public Task<bool> FinishSiteDeployAsync(string id, string result, bool deployed, DateTimeOffset? startedAt, DateTimeOffset finishedAt, CancellationToken cancellationToken) => Measure("finish_site_deploy", () => inner.FinishSiteDeployAsync(id, result, deployed, startedAt, finishedAt, cancellationToken));
    public Task<IReadOnlyList<SiteDeploy>> ClaimSiteDeployFollowUpsAsync(DateTimeOffset now, DateTimeOffset claimUntil, int limit, CancellationToken cancellationToken) => Measure("claim_site_deploy_follow_ups", () => inner.ClaimSiteDeployFollowUpsAsync(now, claimUntil, limit, cancellationToken));
    public Task<bool> FinishSiteDeployFollowUpAsync(string id, DateTimeOffset at, CancellationToken cancellationToken) => Measure("finish_site_deploy_follow_up", () => inner.FinishSiteDeployFollowUpAsync(id, at, cancellationToken));
    public Task<IReadOnlyList<SiteDeploy>> ListActiveSiteDeploysAsync(CancellationToken cancellationToken) => Measure("list_active_site_deploys", () => inner.ListActiveSiteDeploysAsync(cancellationToken));
    public Task<IReadOnlyList<SiteDeploy>> ListSiteDeploysAsync(string site, int limit, CancellationToken cancellationToken) => Measure("list_site_deploys", () => inner.ListSiteDeploysAsync(site, limit, cancellationToken));
    public Task<RolloutCreateOutcome> CreateRolloutAsync(RolloutRecord rollout, IReadOnlyList<RolloutEventRecord> events, CancellationToken cancellationToken) => Measure("create_rollout", () => inner.CreateRolloutAsync(rollout, events, cancellationToken));
    public Task<RolloutRecord?> GetRolloutAsync(string name, CancellationToken cancellationToken) => Measure("get_rollout", () => inner.GetRolloutAsync(name, cancellationToken));
    public Task<IReadOnlyList<RolloutRecord>> ListRolloutsAsync(int limit, CancellationToken cancellationToken) => Measure("list_rollouts", () => inner.ListRolloutsAsync(limit, cancellationToken));
    public Task<bool> UpdateRolloutAsync(RolloutRecord rollout, long expectedVersion, IReadOnlyList<RolloutEventRecord> events, CancellationToken cancellationToken) => Measure("update_rollout", () => inner.UpdateRolloutAsync(rollout, expectedVersion, events, cancellationToken));
    public Task<IReadOnlyList<RolloutRecord>> ClaimRolloutsAsync(string owner, TimeSpan lease, DateTimeOffset now, CancellationToken cancellationToken) => Measure("claim_rollouts", () => inner.ClaimRolloutsAsync(owner, lease, now, cancellationToken));
    public Task<IReadOnlyList<RolloutEventRecord>> ListRolloutEventsAsync(string name, CancellationToken cancellationToken) => Measure("list_rollout_events", () => inner.ListRolloutEventsAsync(name, cancellationToken));
    public Task<SiteState?> GetSiteStateAsync(string site, CancellationToken cancellationToken) => Measure("get_site_state", () => inner.GetSiteStateAsync(site, cancellationToken));
    public Task<IReadOnlyList<SiteState>> ListSiteStatesAsync(CancellationToken cancellationToken) => Measure("list_site_states", () => inner.ListSiteStatesAsync(cancellationToken));
    public Task<bool> RecordSiteDriftAsync(SiteDriftReport report, CancellationToken cancellationToken) => Measure("record_site_drift", () => inner.RecordSiteDriftAsync(report, cancellationToken));
    public Task<SiteDriftReport?> GetSiteDriftAsync(string site, CancellationToken cancellationToken) => Measure("get_site_drift", () => inner.GetSiteDriftAsync(site, cancellationToken));
    public Task<IReadOnlyList<SiteDriftReport>> ListSiteDriftsAsync(CancellationToken cancellationToken) => Measure("list_site_drifts", () => inner.ListSiteDriftsAsync(cancellationToken));
}
