using System.Collections.Immutable;
using Mothership.Engine.Execution;
using Mothership.Engine.Preparation;
using Mothership.Engine.Resolution;

namespace Mothership.Engine.Running;

/// <summary>
/// Runs a TaskRun on its own (not part of a pipeline), with the same attempt policy as a pipeline
/// task's: <see cref="AttemptExecution"/> for each attempt, <see cref="RetryPolicy"/> between
/// them, the timeout from <see cref="RunPreparation"/>, and a task that cannot be resolved
/// (an unknown StepAction, a param of the wrong type) failing its attempt with the reason.
/// </summary>
public sealed class TaskRunDriver(ITaskExecutor executor, ITaskRunListener listener, TaskRunDriverOptions? options = null)
{
    private readonly TimeProvider _time = options?.Time ?? TimeProvider.System;


    /// <summary>
    /// Cancelling the token cancels the running attempt (Tekton's <c>TaskRunCancelled</c>).
    /// With <paramref name="resume"/>, the attempts that ended are kept and the next one continues
    /// after its finished steps.
    /// </summary>
    public async Task<TaskRunResult> RunAsync(PreparedTaskRun prepared, string uid, CancellationToken cancellationToken, TaskRunResume? resume = null)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        var run = prepared.Run;
        var attempts = ImmutableArray.CreateBuilder<TaskRunOutcome>();
        attempts.AddRange(resume?.Attempts ?? []);
        while (!cancellationToken.IsCancellationRequested && (attempts.Count == 0 || RetryPolicy.Retries(attempts[^1], attempts.Count, run.Spec.Retries)))
        {
            var retry = attempts.Count;
            TaskRunOutcome outcome;
            try
            {
                var request = TaskRunBuilder.Build(new TaskRunInput
                {
                    TaskRunName = run.Metadata.Name!,
                    TaskRunUid = uid,
                    TaskName = run.Spec.TaskRef?.Name,
                    Spec = prepared.Spec,
                    Embedded = run.Spec.TaskSpec is not null,
                    Params = run.Spec.Params,
                    Workspaces = run.Spec.Workspaces,
                    PodTemplate = run.Spec.PodTemplate,
                    Namespace = run.Metadata.Namespace ?? "default",
                    Retries = run.Spec.Retries,
                    RetryCount = retry,
                    Timeout = prepared.Timeout,
                    ServiceAccountName = run.Spec.ServiceAccountName,
                    Labels = run.Metadata.Labels,
                    Annotations = run.Metadata.Annotations,
                }, prepared.Resources);
                if (retry == resume?.Attempts.Length && !resume.FinishedSteps.IsEmpty)
                {
                    request = request with { FinishedSteps = resume.FinishedSteps };
                }

                request = options?.Prepare?.Invoke(request) ?? request;
                outcome = await AttemptExecution.RunAsync(executor, request, listener, options?.Gate, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TaskResolutionException e)
            {
                // As a pipeline task that cannot be made into a TaskRun: it fails, and is not retried.
                var now = _time.GetUtcNow();
                outcome = new TaskRunOutcome { Phase = TaskRunPhase.Failed, Message = e.Message, StartTime = now, CompletionTime = now };
                attempts.Add(outcome);
                await PersistAsync(retry, outcome).ConfigureAwait(false);
                break;
            }

            attempts.Add(outcome);
            await PersistAsync(retry, outcome).ConfigureAwait(false);
        }

        return new TaskRunResult(run, uid, prepared.Spec, attempts.ToImmutable());
    }

    private async ValueTask PersistAsync(int retry, TaskRunOutcome outcome)
    {
        if (options?.OnAttemptEnded is { } persist)
        {
            await persist(retry, outcome).ConfigureAwait(false);
        }
    }
}
