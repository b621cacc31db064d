using Mothership.Engine.Execution;
using Prometheus;

namespace Mothership.Server.Observability;

/// <summary>
/// The server's Prometheus metrics (<c>/metrics</c>, text format): runs by kind, phase and reason
/// (read from the store at each scrape), finished runs, TaskRun durations, queue depth and
/// running attempts, store latency per operation, log lines stored, each site's drift state, GitHub's quota when the
/// server talks to GitHub.
/// </summary>
public sealed class ServerMetrics
{
    public ServerMetrics(CollectorRegistry registry)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        Runs = factory.CreateGauge("mothership_runs", "Stored runs by kind, phase and reason.", "kind", "phase", "reason");
        RunsFinished = factory.CreateCounter("mothership_runs_finished_total", "Runs this server finished, by kind and reason.", "kind", "reason");
        TaskRunDuration = factory.CreateHistogram("mothership_taskrun_duration_seconds", "Duration of TaskRun attempts by pipeline and phase.",
            new HistogramConfiguration { LabelNames = ["pipeline", "phase"], Buckets = Histogram.ExponentialBuckets(0.05, 2, 16) });
        QueueDepth = factory.CreateGauge("mothership_taskrun_queue_depth", "TaskRun attempts waiting for a slot on this server.");
        RunningAttempts = factory.CreateGauge("mothership_taskruns_running", "TaskRun attempts holding a slot on this server.");
        StoreLatency = factory.CreateHistogram("mothership_store_operation_duration_seconds", "Store operation latency by operation.",
            new HistogramConfiguration { LabelNames = ["operation"], Buckets = Histogram.ExponentialBuckets(0.0005, 2, 14) });
        StoreErrors = factory.CreateCounter("mothership_store_errors_total", "Store operations that failed because the database was unavailable.", "operation");
        LogLinesTotal = factory.CreateCounter("mothership_log_lines_total", "Log lines appended to the store.");
        GitHubRateLimit = factory.CreateGauge("mothership_github_ratelimit", "GitHub's REST quota as its last answer reported it (X-RateLimit-*): limit and remaining requests.", "kind");
        CiFlakes = factory.CreateGauge("mothership_ci_flakes", "Commits on which a required presubmit failed and then passed, by repository, job and ISO week.", "repository", "job", "week");
        SiteDrift = factory.CreateGauge("mothership_site_drift", "Each site's latest drift check: 1 for its state (InSync, OutOfSync, Unknown), 0 for the others.", "site", "state");
        GitHubRateLimitReset = factory.CreateGauge("mothership_github_ratelimit_reset_seconds", "When GitHub's REST quota resets, as Unix seconds (X-RateLimit-Reset).");
    }

    public Gauge Runs { get; }
    public Counter RunsFinished { get; }
    public Histogram TaskRunDuration { get; }
    public Gauge QueueDepth { get; }
    public Gauge RunningAttempts { get; }
    public Histogram StoreLatency { get; }
    public Counter StoreErrors { get; }
    public Counter LogLinesTotal { get; }
    public Gauge GitHubRateLimit { get; }
    public Gauge GitHubRateLimitReset { get; }
    public Gauge CiFlakes { get; }
    public Gauge SiteDrift { get; }

    public void RunFinished(string kind, string reason) => RunsFinished.WithLabels(kind, reason).Inc();

    public void TaskRunEnded(string pipeline, TaskRunOutcome outcome) =>
        TaskRunDuration.WithLabels(pipeline, outcome.Phase.ToString()).Observe(Math.Max(0, (outcome.CompletionTime - outcome.StartTime).TotalSeconds));

    public void LogLines(int count) => LogLinesTotal.Inc(count);
}
