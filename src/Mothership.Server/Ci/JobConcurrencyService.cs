using Microsoft.Extensions.Logging;
using Mothership.Ci.Triggers;

namespace Mothership.Server.Ci;

/// <summary>
/// Runs <see cref="JobConcurrency"/> every 2 seconds: runs held by their job's
/// <c>max_concurrency</c> start, oldest first, as the job's runs end.
/// </summary>
internal sealed class JobConcurrencyService(JobConcurrency concurrency, TimeProvider time, ILogger<JobConcurrencyService> logger) : CiPassService(time, logger)
{
    protected override TimeSpan Interval => TimeSpan.FromSeconds(2);

    protected override string What => "Starting CI runs held by max_concurrency";

    protected override Task RunPassAsync(CancellationToken cancellationToken) => concurrency.RunOnceAsync(cancellationToken);
}
