using Microsoft.Extensions.Logging;
using Mothership.Ci.Jobs;
using Mothership.Ci.Tide;

namespace Mothership.Server.Ci;

/// <summary>
/// Syncs the <see cref="MergePool"/> every <c>tide.sync_period</c> of the config in force (Prow's
/// default 1m); with no <c>tide</c> queries a pass does nothing. A failed pass is retried by the
/// next: runs are named after what they test, so nothing starts twice, and GitHub refuses a
/// merge whose head moved.
/// </summary>
internal sealed class MergePoolService(MergePool pool, IJobConfigSource config, TimeProvider time, ILogger<MergePoolService> logger) : CiPassService(time, logger)
{
    protected override TimeSpan Interval => config.Current.Tide.SyncPeriod;

    protected override string What => "Syncing the merge pool";

    protected override Task RunPassAsync(CancellationToken cancellationToken) => pool.SyncAsync(cancellationToken);
}
