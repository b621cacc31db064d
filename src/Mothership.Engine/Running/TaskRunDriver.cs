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

/// <summary>Runs a TaskRun on its own (not part of a pipeline), with its retries.</summary>
public sealed class TaskRunDriver(ITaskExecutor executor, ITaskRunListener listener)
{
    /// <summary>Cancelling the token cancels the running attempt (Tekton's <c>TaskRunCancelled</c>).</summary>
    public async Task<TaskRunResult> RunAsync(TaskRun run, ResourceSet resources, string uid, CancellationToken cancellationToken)
    {
        var spec = run.Spec.TaskSpec
            ?? (run.Spec.TaskRef?.Name is { } name ? resources.FindTask(name)?.Spec : null)
            ?? throw new TaskResolutionException($"TaskRun '{run.DisplayName}' references Task '{run.Spec.TaskRef?.Name}', which is not defined in the files given");
        WorkspaceBindings.RequireBound(spec.Workspaces, run.Spec.Workspaces, $"TaskRun '{run.DisplayName}'");
        TimeSpan? timeout = run.Spec.Timeout is { } text && GoDuration.TryParse(text, out var t)
            ? (t <= TimeSpan.Zero ? null : t)
            : Scheduling.PipelineRunScheduler.DefaultTimeout;
        var attempts = ImmutableArray.CreateBuilder<TaskRunOutcome>();
        for (var retry = 0; retry <= run.Spec.Retries; retry++)
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
                PodVolumes = run.Spec.PodVolumes,
                Namespace = run.Metadata.Namespace ?? "default",
                Retries = run.Spec.Retries,
                RetryCount = retry,
                Timeout = timeout,
                ServiceAccountName = run.Spec.ServiceAccountName,
                Labels = run.Metadata.Labels,
            }, resources);
            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            var outcome = await executor.RunAsync(request, listener, cancellationToken).ConfigureAwait(false);
            attempts.Add(outcome);
            if (outcome.Phase is TaskRunPhase.Succeeded or TaskRunPhase.Cancelled)
            {
                break;
            }
        }

        return new TaskRunResult(run, uid, spec, attempts.ToImmutable());
    }
}
