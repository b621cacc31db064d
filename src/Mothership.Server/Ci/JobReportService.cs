using Microsoft.Extensions.Logging;
using Mothership.Ci.Reporting;

namespace Mothership.Server.Ci;

/// <summary>
/// Runs the <see cref="JobReporter"/> every 2 seconds: CI runs' states go to GitHub as they
/// change. Nothing is marked reported before GitHub took it, so a failed pass is reported by the next.
/// </summary>
internal sealed class JobReportService(JobReporter reporter, TimeProvider time, ILogger<JobReportService> logger) : CiPassService(time, logger)
{
    protected override TimeSpan Interval => TimeSpan.FromSeconds(2);

    protected override string What => "Reporting CI results to GitHub";

    protected override async Task RunPassAsync(CancellationToken cancellationToken)
    {
        // Passes until a batch is not full, so a burst is not left to the next interval.
        while (await reporter.RunOnceAsync(cancellationToken).ConfigureAwait(false) == JobReporter.Batch)
        {
        }
    }
}
