using System.Threading.Channels;
using Mothership.Engine.Execution;
using Mothership.Engine.Scheduling;

namespace Mothership.Engine.Running;

/// <summary>Hears about a run's progress (state changes), e.g. to persist or print it.</summary>
public interface IRunListener : ITaskRunListener
{
    /// <summary>Called after every decision with the new state; the state is immutable.</summary>
    void OnState(PipelineRunState state);
}

/// <summary>Options of the driver.</summary>
public sealed class RunDriverOptions
{
    /// <summary>How many TaskRun attempts run at once. Default: the number of processors, at least 2.</summary>
    public int Parallelism { get; init; } = Math.Max(2, Environment.ProcessorCount);

    /// <summary>Time source for deadlines. Default: the system clock.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>
/// The thin shell around <see cref="PipelineRunScheduler"/>: executes its actions on an
/// executor, feeds outcomes back, wakes up for deadlines and cancel requests.
/// </summary>
public sealed class PipelineRunDriver(ITaskExecutor executor, IRunListener listener, RunDriverOptions options)
{
    private readonly Channel<DriverEvent> _events = Channel.CreateUnbounded<DriverEvent>();

    /// <summary>A change to apply to the state; <see cref="Finished"/> names the attempt that ended, if any.</summary>
    private sealed record DriverEvent(Func<PipelineRunState, PipelineRunState> Apply, (string, int)? Finished = null);

    /// <summary>Asks the run to stop: <c>CancelledRunFinally</c>, <c>StoppedRunFinally</c> or <c>Cancelled</c>.</summary>
    public void RequestCancel(string request) =>
        _events.Writer.TryWrite(new DriverEvent(s => PipelineRunScheduler.RequestCancel(s, request)));

    public async Task<PipelineRunState> RunAsync(PipelineRunState initial, CancellationToken cancellationToken)
    {
        var state = initial;
        var running = new Dictionary<(string, int), (CancellationTokenSource Cts, Task Task)>();
        var queue = new List<StartAttempt>();
        var time = options.Time;
        try
        {
            while (true)
            {
                var decision = PipelineRunScheduler.Next(state, time.GetUtcNow());
                state = decision.State;
                foreach (var action in decision.Actions)
                {
                    switch (action)
                    {
                        case StartAttempt start:
                            queue.Add(start);
                            break;
                        case CancelAttempt cancel when running.TryGetValue((cancel.PipelineTask, cancel.ChildIndex), out var r):
                            await r.Cts.CancelAsync().ConfigureAwait(false);
                            break;
                        case CancelAttempt cancel:
                            // Never started (waiting for a slot): it ends cancelled at once.
                            var waiting = queue.FindIndex(q => q.PipelineTask == cancel.PipelineTask && q.ChildIndex == cancel.ChildIndex);
                            if (waiting >= 0)
                            {
                                var now = time.GetUtcNow();
                                queue.RemoveAt(waiting);
                                var outcome = new TaskRunOutcome { Phase = TaskRunPhase.Cancelled, Message = cancel.Reason, StartTime = now, CompletionTime = now };
                                _events.Writer.TryWrite(new DriverEvent(s => PipelineRunScheduler.Record(s, cancel.PipelineTask, cancel.ChildIndex, outcome)));
                            }

                            break;
                    }
                }

                while (queue.Count > 0 && running.Count < options.Parallelism)
                {
                    var start = queue[0];
                    queue.RemoveAt(0);
                    var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    running[(start.PipelineTask, start.ChildIndex)] = (cts, Execute(start, cts.Token));
                }

                listener.OnState(state);
                if (state.Completion is not null && running.Count == 0 && queue.Count == 0)
                {
                    return state;
                }

                var next = await NextEventAsync(state, cancellationToken).ConfigureAwait(false);
                while (next is not null)
                {
                    state = next.Apply(state);
                    if (next.Finished is { } key && running.Remove(key, out var done))
                    {
                        done.Cts.Dispose();
                    }

                    next = _events.Reader.TryRead(out var more) ? more : null;
                }
            }
        }
        finally
        {
            foreach (var (cts, _) in running.Values)
            {
                await cts.CancelAsync().ConfigureAwait(false);
            }

            await Task.WhenAll(running.Values.Select(r => r.Task)).ConfigureAwait(false);
        }
    }

    private async Task<DriverEvent?> NextEventAsync(PipelineRunState state, CancellationToken cancellationToken)
    {
        var time = options.Time;
        var deadline = PipelineRunScheduler.NextDeadline(state, time.GetUtcNow());
        using var wake = deadline is { } d
            ? new CancellationTokenSource(Clamp(d - time.GetUtcNow()), time)
            : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(wake.Token, cancellationToken);
        try
        {
            await _events.Reader.WaitToReadAsync(linked.Token).ConfigureAwait(false);
            return _events.Reader.TryRead(out var apply) ? apply : null;
        }
        catch (OperationCanceledException) when (wake.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private static TimeSpan Clamp(TimeSpan delay) =>
        delay < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : delay;

    private Task Execute(StartAttempt start, CancellationToken cancellationToken) => Task.Run(async () =>
    {
        TaskRunOutcome outcome;
        var begin = options.Time.GetUtcNow();
        try
        {
            outcome = await executor.RunAsync(start.Request, listener, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // An executor failure fails this attempt, not the whole process; the message says why.
            outcome = new TaskRunOutcome
            {
                Phase = cancellationToken.IsCancellationRequested ? TaskRunPhase.Cancelled : TaskRunPhase.Failed,
                Message = $"executor error: {e.Message}",
                StartTime = begin,
                CompletionTime = options.Time.GetUtcNow(),
            };
        }

        _events.Writer.TryWrite(new DriverEvent(
            s => PipelineRunScheduler.Record(s, start.PipelineTask, start.ChildIndex, outcome),
            (start.PipelineTask, start.ChildIndex)));
    }, CancellationToken.None);
}
