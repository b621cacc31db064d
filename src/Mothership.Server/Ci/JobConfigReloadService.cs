using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mothership.Ci.Jobs;
using Mothership.Model.Diagnostics;
using Mothership.Server.Hosting;

namespace Mothership.Server.Ci;

/// <summary>
/// Reads the job configuration at start and again when its files change; a version with errors
/// is logged with each error's FILE:LINE:COL and the jobs in force stay.
/// </summary>
internal sealed partial class JobConfigReloadService(JobConfigFiles files, IOptions<ServerOptions> options, TimeProvider time, ILogger<JobConfigReloadService> logger)
    : BackgroundService
{
    /// <summary>Reads the files now; the start-up read, before the first delivery is handled.</summary>
    public void Load() => Report(files.Reload(), first: true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Value.Ci.ReloadInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            Report(files.Reload(), first: false);
        }
    }

    private void Report(IReadOnlyList<Diagnostic>? diagnostics, bool first)
    {
        if (diagnostics is null)
        {
            return;
        }

        foreach (var d in diagnostics)
        {
            LogProblem(logger, d.ToString());
        }

        if (diagnostics.Any(d => d.Severity == Severity.Error))
        {
            LogKept(logger);
        }
        else
        {
            LogLoaded(logger, files.Current.JobCount, first ? "read" : "reloaded");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "CI config: {Problem}")]
    private static partial void LogProblem(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "CI config has errors: the jobs in force are kept until it is fixed")]
    private static partial void LogKept(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "CI config {How}: {Jobs} job(s)")]
    private static partial void LogLoaded(ILogger logger, int jobs, string how);
}
