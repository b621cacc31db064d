using System.Collections.Immutable;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Execution;

/// <summary>Everything an executor needs to run one TaskRun attempt.</summary>
public sealed record TaskRunRequest
{
    /// <summary>The TaskRun's name, e.g. <c>build-run-7x2kq-compile</c>.</summary>
    public required string TaskRunName { get; init; }

    /// <summary>Stable identity of the TaskRun (UUID), also the key of its working directory.</summary>
    public required string TaskRunUid { get; init; }

    public string? PipelineRunName { get; init; }

    public string? PipelineRunUid { get; init; }

    /// <summary>
    /// The run this attempt belongs to: its PipelineRun, else the TaskRun itself. What an executor
    /// keeps for a run (a local run folder, claims labelled with it in a cluster) goes with it
    /// (<see cref="IRunCleanup"/>).
    /// </summary>
    public string RunUid => PipelineRunUid ?? TaskRunUid;

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
    /// caller kills them first (<see cref="IOrphanCleanup.CleanUpOrphans"/>).
    /// </summary>
    public ImmutableArray<StepState> FinishedSteps { get; init; } = [];

    /// <summary>The attempt's own timeout; null means none.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>How long cancelled steps get between SIGTERM and SIGKILL. Default 10 s.</summary>
    public TimeSpan GracePeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The ServiceAccount whose annotated secrets become credentials in the steps' home.</summary>
    public string? ServiceAccountName { get; init; }

    public ImmutableSortedDictionary<string, string> Labels { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>The run's annotations (a server deploy's say which executor and cluster its TaskRuns run on).</summary>
    public ImmutableSortedDictionary<string, string> Annotations { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>
    /// Values every executor masks in the attempt's logs besides the Secrets it reads: those of
    /// params whose names look secret (<see cref="Model.Secrets.SecretNames"/>), the task's and the pipeline's.
    /// </summary>
    public ImmutableArray<string> SecretValues { get; init; } = [];

    /// <summary>
    /// The run's pod template, merged for this task. Its env and volumes are already in
    /// <see cref="Spec"/>; its pod-level fields (nodeSelector, tolerations, affinity, …) are for
    /// executors that run pods.
    /// </summary>
    public PodTemplate? PodTemplate { get; init; }
}
