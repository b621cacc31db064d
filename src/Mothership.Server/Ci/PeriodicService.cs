using Microsoft.Extensions.Logging;
using Mothership.Ci.Periodics;

namespace Mothership.Server.Ci;

/// <summary>
/// Runs the <see cref="PeriodicScheduler"/> every 10 seconds: periodic jobs start within that of
/// being due. Every replica runs it; runs named after their due time start once, so a failed pass
/// starts nothing twice when the next one retries.
/// </summary>
internal sealed class PeriodicService(PeriodicScheduler scheduler, TimeProvider time, ILogger<PeriodicService> logger) : CiPassService(time, logger)
{
    protected override TimeSpan Interval => TimeSpan.FromSeconds(10);

    protected override string What => "Starting periodic jobs";

    protected override Task RunPassAsync(CancellationToken cancellationToken) => scheduler.RunOnceAsync(cancellationToken);
}
