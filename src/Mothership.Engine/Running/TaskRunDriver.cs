using System.Collections.Immutable;
using Mothership.Engine.Execution;
using Mothership.Engine.Resolution;
using Mothership.Model.Tekton;
using Mothership.Model.Validation;

namespace Mothership.Engine.Running;

/// <summary>A finished standalone TaskRun: every attempt, the last one deciding the status.</summary>
public sealed record TaskRunResult(TaskRun Run, string Uid, TaskSpec Spec, ImmutableArray<TaskRunOutcome> Attempts)
{
    public TaskRunOutcome Last => Attempts[^1];
}

/// <summary>Where a standalone TaskRun stood when its server stopped: the attempts that ended, and the finished steps of the next one.</summary>
public sealed record TaskRunResume(ImmutableArray<TaskRunOutcome> Attempts, ImmutableArray<StepState> FinishedSteps);

/// <summary>Hooks of a durable host around <see cref="TaskRunDriver"/>.</summary>
public sealed record TaskRunDriverOptions
{
    /// <summary>Called when an attempt ended, before the next one starts (a store persists it here).</summary>
    public Func<TaskRunOutcome, ValueTask>? OnAttemptEnded { get; init; }

    /// <summary>A host-wide limit on running attempts. Default: none.</summary>
    public IAttemptGate? Gate { get; init; }

    /// <summary>Prepares each attempt's request just before it runs (e.g. cleans up after a crash).</summary>
    public Func<TaskRunRequest, TaskRunRequest>? Prepare { get; init; }
}

/// <summary>Runs a TaskRun on its own (not part of a pipeline), with its retries.</summary>
public sealed class TaskRunDriver(ITaskExecutor executor, ITaskRunListener listener, TaskRunDriverOptions? options = null)
{
    /// <summary>
    /// Cancelling the token cancels the running attempt (Tekton's <c>TaskRunCancelled</c>).
    /// With <paramref name="resume"/>, the attempts that ended are kept and the next one continues
    /// after its finished steps.
    /// </summary>
    public async Task<TaskRunResult> RunAsync(TaskRun run, ResourceSet resources, string uid, CancellationToken cancellationToken, TaskRunResume? resume = null)
    {
        var spec = run.Spec.TaskSpec
            ?? (run.Spec.TaskRef?.Name is { } name ? resources.FindTask(name)?.Spec : null)
            ?? throw new TaskResolutionException($"TaskRun '{run.DisplayName}' references Task '{run.Spec.TaskRef?.Name}', which is not defined in the files given");
        WorkspaceBindings.RequireBound(spec.Workspaces, run.Spec.Workspaces, $"TaskRun '{run.DisplayName}'");
        TimeSpan? timeout = run.Spec.Timeout is { } text && GoDuration.TryParse(text, out var t)
            ? (t <= TimeSpan.Zero ? null : t)
            : Scheduling.PipelineRunScheduler.DefaultTimeout;
        var attempts = ImmutableArray.CreateBuilder<TaskRunOutcome>();
        attempts.AddRange(resume?.Attempts ?? []);
        if (attempts.Count > 0 && attempts[^1].Phase is TaskRunPhase.Succeeded or TaskRunPhase.Cancelled)
        {
            return new TaskRunResult(run, uid, spec, attempts.ToImmutable());
        }

        for (var retry = attempts.Count; retry <= run.Spec.Retries; retry++)
        {
            var request = TaskRunBuilder.Build(new TaskRunInput
            {
                TaskRunName = run.Metadata.Name ?? "taskrun",
                TaskRunUid = uid,
                TaskName = run.Spec.TaskRef?.Name,
                Spec = spec,
                Embedded = run.Spec.TaskSpec is not null,
                Params = run.Spec.Params,
                Workspaces = run.Spec.Workspaces,
                PodTemplate = run.Spec.PodTemplate,
                Namespace = run.Metadata.Namespace ?? "default",
                Retries = run.Spec.Retries,
                RetryCount = retry,
                Timeout = timeout,
                ServiceAccountName = run.Spec.ServiceAccountName,
                Labels = run.Metadata.Labels,
            }, resources);
            if (retry == resume?.Attempts.Length && !resume.FinishedSteps.IsEmpty)
            {
                request = request with { FinishedSteps = resume.FinishedSteps };
            }

            request = options?.Prepare?.Invoke(request) ?? request;
            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            TaskRunOutcome outcome;
            var slot = options?.Gate is { } gate ? await gate.AcquireAsync(request, cancellationToken).ConfigureAwait(false) : null;
            try
            {
                outcome = await executor.RunAsync(request, listener, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                slot?.Dispose();
            }

            if (options?.OnAttemptEnded is { } persist)
            {
                await persist(outcome).ConfigureAwait(false);
            }

            attempts.Add(outcome);
            if (outcome.Phase is TaskRunPhase.Succeeded or TaskRunPhase.Cancelled)
            {
                break;
            }
        }

        return new TaskRunResult(run, uid, spec, attempts.ToImmutable());
    }
}
