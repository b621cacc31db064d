using Mothership.Model.Tekton;
using Mothership.Store;

namespace Mothership.Ci.Triggers;

/// <summary>How a job's run came out of <see cref="IJobRuns.StartAsync"/>.</summary>
public enum JobStartOutcome
{
    /// <summary>Stored and queued.</summary>
    Started,

    /// <summary>A run of that name exists already: this request was handled before.</summary>
    AlreadyStarted,

    /// <summary>The run does not validate; <see cref="JobStart.Message"/> says why.</summary>
    Refused,
}

/// <summary>The outcome of starting a job's run: the run's uid (of the run stored before, when already started), or the reasons it was refused.</summary>
public sealed record JobStart(JobStartOutcome Outcome, string? Uid, string Message = "")
{
    /// <summary>Started held: its job is at its <c>max_concurrency</c>, and the run waits for a slot.</summary>
    public bool Waiting { get; init; }
}

/// <summary>
/// Starts and cancels the CI bot's runs through the same validation, store and controller as
/// runs sent to the API (the server implements it with its run intake).
/// </summary>
public interface IJobRuns
{
    /// <summary>
    /// Validates and stores <paramref name="run"/> (a PipelineRun or TaskRun) as <paramref name="actor"/>,
    /// with <paramref name="secrets"/> as the run's own Secrets (what its steps read; stored with it, never served, masked in logs).
    /// </summary>
    Task<JobStart> StartAsync(Resource run, IReadOnlyList<DataObject> secrets, string actor, CancellationToken cancellationToken);

    /// <summary>Starts <paramref name="run"/>, created held (pending), now; false when it was not held.</summary>
    Task<bool> ReleaseAsync(RunSummary run, string actor, CancellationToken cancellationToken);

    /// <summary>Cancels <paramref name="run"/> when it has not finished; false when it had.</summary>
    Task<bool> CancelAsync(RunSummary run, string actor, CancellationToken cancellationToken);
}
