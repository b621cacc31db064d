using System.Text.Json.Nodes;
using System.Threading.Channels;
using Mothership.Engine.Execution;
using Mothership.Engine.Journal;
using Mothership.Engine.Running;
using Mothership.Engine.Scheduling;
using Mothership.Engine.Status;
using Mothership.Model.Tekton.Vocabulary;

namespace Mothership.Server.Runs;

/// <summary>
/// Persists what a run produces as it produces it: every decision of the driver (journal entry and
/// status, before its actions are carried out; an attempt's end after all its log lines), every
/// step that ran to its end (after its log lines, before anything runs after it), and log lines. The run object (with live step
/// states, <see cref="LiveAttempts"/>) is for readers, not for the run's own recovery, and its
/// size grows with the pipeline: it is written by <see cref="RefreshObjectsAsync"/>, the newest
/// state at most once per <see cref="MinObjectInterval"/> (the first one interval after the run
/// starts), and once more, synchronously, with the run's end. So a decision costs what it changed, not a rewrite of the whole run.
/// </summary>
internal sealed class JournalingListener(RunJournalWriter writer, RunTransitions transitions, SecretMasker masker, TimeProvider time, CancellationToken stop) : IRunListener
{
    /// <summary>
    /// The least time between two writes of the run object while the run runs: what the dashboard
    /// polled at before it was pushed the changes (the watch reads the object after each write).
    /// </summary>
    public static readonly TimeSpan MinObjectInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How many times its own cost the object waits before it is written again: the object's
    /// share of the run's time stays under a fifth, however big the pipeline.
    /// </summary>
    private const int CostFactor = 4;

    private readonly LiveAttempts _live = new();
    private readonly Lock _lock = new();
    // One pending signal at most: any number of changes while a write runs make one more write.
    private readonly Channel<bool> _changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private PipelineRunState? _latest;

    /// <summary>
    /// Writes the newest run object whenever something changed, at most once per
    /// <see cref="MinObjectInterval"/> (longer when the object is expensive), until cancelled.
    /// </summary>
    public async Task RefreshObjectsAsync(CancellationToken cancellationToken)
    {
        try
        {
            // The run's start counts as a write: a run that ends within the interval (most one-task
            // runs) writes its object once, with its end, instead of a transaction more for a state
            // nobody may have looked at. Its phase and start are in the run's row from the first decision.
            await Task.Delay(MinObjectInterval, time, cancellationToken).ConfigureAwait(false);
            while (await _changed.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                _changed.Reader.TryRead(out _);
                PipelineRunState? latest;
                lock (_lock)
                {
                    latest = _latest;
                }

                if (latest is null || latest.Completion is not null)
                {
                    continue;
                }

                var started = time.GetTimestamp();
                var text = ObjectOf(latest).ToJsonString();
                if (Publishing is { } publish)
                {
                    await publish(text, ct => writer.CommitObjectAsync(text, ct), cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await writer.CommitObjectAsync(text, cancellationToken).ConfigureAwait(false);
                }

                var cost = time.GetElapsedTime(started);
                await Task.Delay(cost * CostFactor > MinObjectInterval ? cost * CostFactor : MinObjectInterval, time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The run ended (its final object is written with its end) or the server stops.
        }
        catch (LeaseLostException)
        {
            // Another replica drives the run now; the run's own path stops on the same abort.
        }
    }

    private void Changed() => _changed.Writer.TryWrite(true);

    /// <summary>
    /// Stores each run object written while the run runs, given its text and the writer's store of
    /// it (which gives the version it was stored as), instead of the writer alone: the graph is
    /// built from it, <c>RunGraphCache.PublishAsync</c>. Its time counts in the object's cost,
    /// which spaces the writes.
    /// </summary>
    public Func<string, Func<CancellationToken, Task<long?>>, CancellationToken, Task>? Publishing { get; init; }

    /// <summary>Called with each decision's attempt ends (metrics).</summary>
    public Action<AttemptEnded>? OnAttemptEnded { get; init; }

    /// <summary>Called with the run's completion before it is stored (what it adds to the writer goes in the same commit).</summary>
    public Action<RunCompletion>? OnCompleting { get; init; }

    /// <summary>Called once the run's completion is stored (metrics).</summary>
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
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        else if (endedTaskRuns.Count > 0)
        {
            await writer.FlushEndedAsync(endedTaskRuns, cancellationToken).ConfigureAwait(false);
        }

        // The final object goes with the run's end; until then objects follow at their own pace.
        var transition = transitions.Of(completion is null ? Store.RunPhase.Running : Store.RunPhase.Finished, completion?.Status ?? ConditionStatus.Unknown,
            completion?.Reason ?? PipelineRunReason.Running, completion?.Time, completion is null ? null : ObjectOf(state)) with
        {
            StartedAt = state.StartTime,
            CancelHandled = record.Events.Any(e => e is CancelRequested),
        };
        if (completion is not null)
        {
            OnCompleting?.Invoke(completion);
        }

        await writer.CommitAsync(record, transition, cancellationToken).ConfigureAwait(false);
        Changed();
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
        Changed(); // a step started or ended: show it so
        if (step.ExitCode is null)
        {
            return;
        }

        // A step's lines are stored before anything records its end. Only a step that ended by
        // itself counts as finished for a resume; one stopped by a shutdown runs again.
        var finished = ContainerNames.IsStep(step.Container) && step.TerminationReason is StepTerminationReason.Completed or StepTerminationReason.Continued
            && !request.FinishedSteps.Any(f => f.Container == step.Container);
        if (finished)
        {
            writer.StepFinished(request, step);
        }
        else
        {
            writer.FlushStep(request, step.Container);
        }
    }

    private JsonObject ObjectOf(PipelineRunState state) => masker.Mask(transitions.Decorate(RunObjectWriter.PipelineRun(state, _live)));
}
