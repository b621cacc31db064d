using System.Text.Json.Nodes;
using Mothership.Engine.Execution;
using Mothership.Engine.Journal;
using Mothership.Engine.Running;
using Mothership.Engine.Scheduling;
using Mothership.Engine.Status;
using Mothership.Model.Tekton.Vocabulary;

namespace Mothership.Server.Runs;

/// <summary>
/// Persists what a run produces as it produces it: every decision of the driver (journal entry and
/// run object, before its actions are carried out; an attempt's end after all its log lines),
/// every step that ran to its end (after its log lines), log lines, and the run object with live step states (<see cref="LiveAttempts"/>)
/// as steps start and end.
/// </summary>
internal sealed class JournalingListener(RunJournalWriter writer, RunTransitions transitions, SecretMasker masker, CancellationToken stop) : IRunListener
{
    private readonly LiveAttempts _live = new();
    private readonly Lock _lock = new();
    private PipelineRunState? _latest;

    /// <summary>Called with each decision's attempt ends (metrics).</summary>
    public Action<AttemptEnded>? OnAttemptEnded { get; init; }

    /// <summary>Called once the run's completion is stored (metrics, events).</summary>
    public Func<RunCompletion, CancellationToken, Task>? OnCompleted { get; init; }

    public async ValueTask OnDecisionAsync(PipelineRunState state, DecisionRecord record, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _latest = state;
        }

        var endedTaskRuns = new HashSet<string>(StringComparer.Ordinal);
        foreach (var ended in record.Events.OfType<AttemptEnded>())
        {
            var taskRun = state.Tasks[ended.PipelineTask].Runs[ended.ChildIndex].TaskRunName;
            endedTaskRuns.Add(taskRun);
            _live.Ended(taskRun);
            OnAttemptEnded?.Invoke(ended);
        }

        // Every line an attempt printed is stored before its end is journaled, whatever the
        // outcome: a step that failed, timed out, or an attempt that ended without reporting its
        // steps' ends (an executor's error, a lost pod).
        var completion = state.Completion;
        if (completion is not null)
        {
            await writer.FlushAsync(null, cancellationToken).ConfigureAwait(false);
        }
        else if (endedTaskRuns.Count > 0)
        {
            await writer.FlushAsync(s => endedTaskRuns.Contains(s.TaskRun), cancellationToken).ConfigureAwait(false);
        }

        var transition = transitions.Of(completion is null ? Store.RunPhase.Running : Store.RunPhase.Finished, completion?.Status ?? ConditionStatus.Unknown,
            completion?.Reason ?? PipelineRunReason.Running, completion?.Time, ObjectOf(state)) with
        {
            StartedAt = state.StartTime,
            CancelHandled = record.Events.Any(e => e is CancelRequested),
        };
        await writer.CommitAsync(record, transition, cancellationToken).ConfigureAwait(false);
        if (completion is not null && OnCompleted is { } completed)
        {
            await completed(completion, cancellationToken).ConfigureAwait(false);
        }
    }

    public void OnLog(TaskRunRequest request, string container, string line) => writer.Log(request, container, line);

    public void OnStep(TaskRunRequest request, StepState step)
    {
        if (stop.IsCancellationRequested)
        {
            return;
        }

        _live.OnStep(request, step);
        PipelineRunState? latest;
        lock (_lock)
        {
            latest = _latest;
        }

        var obj = latest is null ? null : ObjectOf(latest).ToJsonString();
        if (step.ExitCode is null)
        {
            if (obj is not null)
            {
                writer.Refresh(obj); // a step started: show it running
            }

            return;
        }

        // A step's lines are stored before anything records its end. Only a step that ended by
        // itself counts as finished for a resume; one stopped by a shutdown runs again.
        var finished = ContainerNames.IsStep(step.Container) && step.TerminationReason is StepTerminationReason.Completed or StepTerminationReason.Continued
            && !request.FinishedSteps.Any(f => f.Container == step.Container);
        if (finished)
        {
            writer.StepFinished(request, step, obj);
        }
        else
        {
            writer.FlushStep(request, step.Container);
            if (obj is not null)
            {
                writer.Refresh(obj);
            }
        }
    }

    private JsonObject ObjectOf(PipelineRunState state) => masker.Mask(transitions.Decorate(RunObjectWriter.PipelineRun(state, _live)));
}
