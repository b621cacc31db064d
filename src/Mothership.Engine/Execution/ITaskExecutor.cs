using System.Collections.Immutable;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Execution;

/// <summary>
/// Runs one TaskRun attempt: the steps of a resolved task spec, in order, with its workspaces.
/// Implemented by the local executor (processes) and the Kubernetes executor (one pod).
/// </summary>
public interface ITaskExecutor
{
    /// <summary>
    /// Runs the attempt to its end. Cancelling <paramref name="cancellationToken"/> stops it
    /// (SIGTERM, then SIGKILL after <see cref="TaskRunRequest.GracePeriod"/>) and returns a
    /// <see cref="TaskRunPhase.Cancelled"/> outcome; the executor enforces
    /// <see cref="TaskRunRequest.Timeout"/> itself and returns <see cref="TaskRunPhase.TimedOut"/>.
    /// User mistakes found while running (a missing ConfigMap key, a result too large) fail the
    /// attempt with a message; exceptions are only for infrastructure failures.
    /// </summary>
    Task<TaskRunOutcome> RunAsync(TaskRunRequest request, ITaskRunListener listener, CancellationToken cancellationToken);
}

/// <summary>Receives what a running attempt produces, as it produces it.</summary>
public interface ITaskRunListener
{
    /// <summary>One line of a step's or sidecar's output (without the newline).</summary>
    void OnLog(TaskRunRequest request, string container, string line);

    /// <summary>A step started or finished; <paramref name="step"/> is its latest state.</summary>
    void OnStep(TaskRunRequest request, StepState step);
}

/// <summary>Everything an executor needs to run one TaskRun attempt.</summary>
public sealed record TaskRunRequest
{
    /// <summary>The TaskRun's name, e.g. <c>build-run-7x2kq-compile</c>.</summary>
    public required string TaskRunName { get; init; }

    /// <summary>Stable identity of the TaskRun (UUID), also the key of its working directory.</summary>
    public required string TaskRunUid { get; init; }

    public string? PipelineRunName { get; init; }

    public string? PipelineRunUid { get; init; }

    public string? PipelineTaskName { get; init; }

    /// <summary>
    /// The task spec with params and context variables already substituted; executor-specific
    /// variables remain: <c>$(workspaces.w.path|bound|claim|volume)</c>, <c>$(results.r.path)</c>,
    /// <c>$(step.results.r.path)</c>, <c>$(steps.s.results.r)</c>, <c>$(steps.s.exitCode.path)</c>,
    /// <c>$(credentials.path)</c>. Step templates are merged and StepActions inlined.
    /// </summary>
    public required TaskSpec Spec { get; init; }

    /// <summary>Workspace bindings, already matched to the task's declared workspaces by name.</summary>
    public ImmutableArray<WorkspaceBinding> Workspaces { get; init; } = [];

    /// <summary>ConfigMaps and Secrets that env, envFrom, volumes and workspaces may name.</summary>
    public required ResourceSet Resources { get; init; }

    /// <summary>0 for the first attempt, 1 for the first retry, …</summary>
    public int RetryCount { get; init; }

    /// <summary>
    /// The states of the first steps of this same attempt (same <see cref="TaskRunUid"/> and
    /// <see cref="RetryCount"/>) that ran to completion in an earlier incarnation of the server,
    /// before it crashed; empty (the default) for a fresh attempt. The executor does not run
    /// them again: it reports each once more through <see cref="ITaskRunListener.OnStep"/>,
    /// unchanged, before anything else runs, returns them as they are in
    /// <see cref="TaskRunOutcome.Steps"/>, and continues with the next step in the same attempt
    /// directory, so the results files, step results (<c>$(steps.s.results.r)</c>,
    /// <c>/tekton/steps/…</c>), exit-code files and emptyDir workspaces the finished steps wrote
    /// are still there.
    /// <list type="bullet">
    /// <item>They must be the first steps of the spec, in order and with the same names, each with
    /// a final <see cref="StepState.TerminationReason"/> (not null, not <c>Skipped</c>);
    /// otherwise <see cref="ITaskExecutor.RunAsync"/> throws <see cref="ArgumentException"/>.</item>
    /// <item>A finished step that failed decides as it did the first time: <c>Continued</c>
    /// (onError: continue) goes on, <c>Error</c> fails the attempt and skips the rest.</item>
    /// <item>The step that was running at the crash is not among them: it runs again from its
    /// start, with its own <c>/tekton/steps</c> directory emptied. Sidecars are started again.</item>
    /// <item>When the attempt directory is missing (the attempt ran on another machine, or was
    /// pruned), the executor ignores these states, runs the attempt from its first step and says
    /// so in a log line of that step.</item>
    /// <item><see cref="Timeout"/> counts from this call: pass what is left of it. The outcome's
    /// <see cref="TaskRunOutcome.StartTime"/> is the earliest start of the finished steps.</item>
    /// </list>
    /// Leftover processes of the crashed incarnation are not the executor's business here: the
    /// caller kills them first (the local executor's <c>KillOrphans</c>).
    /// </summary>
    public ImmutableArray<StepState> FinishedSteps { get; init; } = [];

    /// <summary>The attempt's own timeout; null means none.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>How long cancelled steps get between SIGTERM and SIGKILL. Default 10 s.</summary>
    public TimeSpan GracePeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The ServiceAccount whose annotated secrets become credentials in the steps' home.</summary>
    public string? ServiceAccountName { get; init; }

    public ImmutableSortedDictionary<string, string> Labels { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>
    /// The run's pod template, merged for this task. Its env and volumes are already in
    /// <see cref="Spec"/>; its pod-level fields (nodeSelector, tolerations, affinity, …) are for
    /// executors that run pods.
    /// </summary>
    public PodTemplate? PodTemplate { get; init; }
}

/// <summary>How an attempt ended.</summary>
public enum TaskRunPhase
{
    Succeeded,
    Failed,
    TimedOut,
    Cancelled,
}

/// <summary>The end of one attempt: its phase, message, steps and results.</summary>
public sealed record TaskRunOutcome
{
    public required TaskRunPhase Phase { get; init; }

    /// <summary>Tekton's message, e.g. <c>"step-build" exited with code 1</c>.</summary>
    public string Message { get; init; } = "";

    public required DateTimeOffset StartTime { get; init; }

    public required DateTimeOffset CompletionTime { get; init; }

    public ImmutableArray<StepState> Steps { get; init; } = [];

    public ImmutableArray<StepState> Sidecars { get; init; } = [];

    /// <summary>Results the steps wrote, typed by the task's result declarations.</summary>
    public ImmutableArray<RunResult> Results { get; init; } = [];
}

/// <summary>A result value, as Tekton's status lists them.</summary>
public sealed record RunResult(string Name, ParamValue Value);

/// <summary>A step's (or sidecar's) state, as Tekton's <c>status.steps</c> entries.</summary>
public sealed record StepState
{
    public required string Name { get; init; }

    /// <summary>The container name Tekton would give it: <c>step-NAME</c> or <c>sidecar-NAME</c>.</summary>
    public required string Container { get; init; }

    public string? Image { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Null while running or when the step never started.</summary>
    public int? ExitCode { get; init; }

    /// <summary><c>Completed</c> or <c>Error</c> as Kubernetes writes it; null while running.</summary>
    public string? Reason { get; init; }

    /// <summary>Tekton's <c>terminationReason</c>: <c>Completed</c>, <c>Continued</c>, <c>Error</c>, <c>Skipped</c>, <c>TimeoutExceeded</c>, <c>Cancelled</c>.</summary>
    public string? TerminationReason { get; init; }

    public ImmutableArray<RunResult> Results { get; init; } = [];
}

/// <summary>
/// An executor whose attempts can outlive the server that started them (steps in their own
/// process sessions): before an attempt is resumed or retried after a crash, what is left of it
/// is cleaned up. Executors whose attempts the next server simply adopts (a pod, found again by
/// its name) do not implement it.
/// </summary>
public interface IOrphanCleanup
{
    /// <summary>Stops what is left of attempt <paramref name="retryCount"/> of TaskRun <paramref name="taskRunUid"/>; how many things were stopped.</summary>
    int CleanUpOrphans(string taskRunUid, int retryCount);
}

/// <summary>
/// An executor that leaves things behind in a cluster beyond one attempt: the claims made from a
/// workspace's <c>volumeClaimTemplate</c> live as long as their run (Tekton makes the PipelineRun
/// their owner, for Kubernetes' garbage collector), and the pods of a server that died stay
/// where they are. Whoever drives a run releases its things when the run has ended; a server
/// also sweeps, at its start and every so often, what belongs to runs that ended or are gone.
/// </summary>
public interface IRunCleanup
{
    /// <summary>The uids of the runs (PipelineRun, or standalone TaskRun) that have something of theirs in the cluster now.</summary>
    Task<IReadOnlySet<string>> ListHoldingRunsAsync(CancellationToken cancellationToken);

    /// <summary>Deletes everything the executor made for run <paramref name="runUid"/>; how many objects it deleted.</summary>
    Task<int> ReleaseRunAsync(string runUid, CancellationToken cancellationToken);
}
