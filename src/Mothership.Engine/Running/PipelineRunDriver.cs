using System.Collections.Immutable;
using System.Threading.Channels;
using Mothership.Engine.Execution;
using Mothership.Engine.Journal;
using Mothership.Engine.Scheduling;
using Mothership.Model.Limits;

namespace Mothership.Engine.Running;

/// <summary>
/// The thin shell around <see cref="PipelineRunScheduler"/>: executes its actions on an
/// executor, feeds outcomes back, wakes up for deadlines and cancel requests. Every event it
/// applies goes into the next <see cref="DecisionRecord"/>, so the journal can replay the run.
/// </summary>
public sealed class PipelineRunDriver(ITaskExecutor executor, IRunListener listener, RunDriverOptions options)
{
    /// <summary>
    /// Outcomes and cancel requests, read by the one loop of <see cref="DriveAsync"/>. With
    /// <see cref="RunDriverOptions.OnEndingThread"/>, a write runs the waiting loop on the writer's
    /// thread (synchronous continuations): the end of an attempt goes on to the next decision and
    /// the next attempt's start without a hand-off to another thread.
    /// </summary>
    private readonly Channel<(JournalEvent Event, (string, int)? Finished)> _events =
        Channel.CreateUnbounded<(JournalEvent Event, (string, int)? Finished)>(
            new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = options.OnEndingThread });

    /// <summary>Asks the run to stop: <c>CancelledRunFinally</c>, <c>StoppedRunFinally</c> or <c>Cancelled</c>.</summary>
    public void RequestCancel(string request) => _events.Writer.TryWrite((new CancelRequested(request), null));

    /// <summary>Runs a new run to its end.</summary>
    public Task<PipelineRunState> RunAsync(PipelineRunState initial, CancellationToken cancellationToken) =>
        DriveAsync(initial, [], [], cancellationToken, fresh: true);

    /// <summary>
    /// Continues a run rebuilt from its journal: the attempts that were in flight start again
    /// (each request as <paramref name="prepare"/> makes it, e.g. with its finished steps), the
    /// cancels they were sent are carried out.
    /// </summary>
    public Task<PipelineRunState> ResumeAsync(ReplayResult replay, Func<StartAttempt, StartAttempt> prepare, CancellationToken cancellationToken) =>
        DriveAsync(replay.State, [.. replay.InFlight.Select(prepare)], replay.PendingCancels, cancellationToken, fresh: false);

    private async Task<PipelineRunState> DriveAsync(PipelineRunState initial, ImmutableArray<StartAttempt> inFlight,
        ImmutableArray<CancelAttempt> cancels, CancellationToken cancellationToken, bool fresh)
    {
        var state = initial;
        var running = new Dictionary<(string, int), (CancellationTokenSource Cts, Task Task)>();
        var queue = new List<StartAttempt>(inFlight);
        var applied = ImmutableArray.CreateBuilder<JournalEvent>();
        var time = options.Time;
        // Never started (waiting for a slot): an attempt cancelled now ends cancelled at once.
        void CancelQueued(CancelAttempt cancel, DateTimeOffset now)
        {
            var waiting = queue.FindIndex(q => q.PipelineTask == cancel.PipelineTask && q.ChildIndex == cancel.ChildIndex);
            if (waiting >= 0)
            {
                queue.RemoveAt(waiting);
                var outcome = new TaskRunOutcome { Phase = TaskRunPhase.Cancelled, Message = cancel.Reason, StartTime = now, CompletionTime = now };
                _events.Writer.TryWrite((new AttemptEnded(cancel.PipelineTask, cancel.ChildIndex, outcome), null));
            }
        }

        void StartQueued()
        {
            while (queue.Count > 0 && running.Count < options.Parallelism)
            {
                var start = queue[0];
                queue.RemoveAt(0);
                var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                running[(start.PipelineTask, start.ChildIndex)] = (cts, Execute(start, cts.Token));
            }
        }

        // Cancels decided (and persisted) before a crash, for attempts that are now only queued.
        foreach (var cancel in cancels)
        {
            CancelQueued(cancel, time.GetUtcNow());
        }

        try
        {
            while (true)
            {
                // A replay starts the run at its first decision's time: make that the run's start time.
                var now = fresh ? initial.StartTime : time.GetUtcNow();
                fresh = false;
                var decision = PipelineRunScheduler.Next(state, now);
                state = decision.State;
                await listener.OnDecisionAsync(state, new DecisionRecord(now, applied.ToImmutable()), cancellationToken).ConfigureAwait(false);
                applied.Clear();
                var actions = decision.Actions;
                foreach (var action in actions)
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
                            CancelQueued(cancel, now);
                            break;
                    }
                }

                StartQueued();

                if (state.Completion is not null && running.Count == 0 && queue.Count == 0)
                {
                    return state;
                }

                var next = await NextEventAsync(state, cancellationToken).ConfigureAwait(false);
                while (next is { } n)
                {
                    state = RunReplay.Apply(state, n.Event);
                    applied.Add(n.Event);
                    if (n.Finished is { } key && running.Remove(key, out var done))
                    {
                        done.Cts.Dispose();
                    }

                    next = _events.Reader.TryRead(out var more) ? more : null;
                }

                // A freed slot takes the next attempt already decided before the next decision
                // is made: that decision only adds attempts or cancels some, and when it may cancel
                // queued ones (a cancel request, a failure, a deadline) they wait for it. The slot's
                // next step then starts without waiting for the scheduler (bench/RESULTS.md).
                if (PipelineRunScheduler.MayStartQueued(state, time.GetUtcNow()))
                {
                    StartQueued();
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

    private async Task<(JournalEvent Event, (string, int)? Finished)?> NextEventAsync(PipelineRunState state, CancellationToken cancellationToken)
    {
        var time = options.Time;
        var deadline = Timeouts.Next(state, time.GetUtcNow());
        // A deadline farther than a timer can wait (a run stored before validation refused such
        // timeouts) is reached by waking up and deciding again (InputLimits.TimerDelay).
        using var wake = deadline is { } d
            ? new CancellationTokenSource(InputLimits.TimerDelay(d - time.GetUtcNow()), time)
            : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(wake.Token, cancellationToken);
        try
        {
            await _events.Reader.WaitToReadAsync(linked.Token).ConfigureAwait(false);
            return _events.Reader.TryRead(out var e) ? e : null;
        }
        catch (OperationCanceledException) when (wake.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>
    /// Starts an attempt on a pool thread, or with <see cref="RunDriverOptions.OnEndingThread"/> on
    /// the loop's own: the executor's synchronous part (the local one's directories and spawn)
    /// then runs here, up to its first wait.
    /// </summary>
    private Task Execute(StartAttempt start, CancellationToken cancellationToken) =>
        options.OnEndingThread ? ExecuteHereAsync(start, cancellationToken) : Task.Run(() => ExecuteHereAsync(start, cancellationToken), CancellationToken.None);

    private async Task ExecuteHereAsync(StartAttempt start, CancellationToken cancellationToken)
    {
        var outcome = await AttemptExecution.RunAsync(executor, start.Request, listener, options.Gate, options.Time, cancellationToken).ConfigureAwait(false);
        _events.Writer.TryWrite((new AttemptEnded(start.PipelineTask, start.ChildIndex, outcome), (start.PipelineTask, start.ChildIndex)));
    }
}
