using System.Collections.Immutable;
using Microsoft.Extensions.Time.Testing;
using Mothership.Engine.Execution;
using Mothership.Engine.Journal;
using Mothership.Engine.Resolution;
using Mothership.Engine.Running;
using Mothership.Engine.Scheduling;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Tests.Running;

/// <summary>
/// The driver's waits for deadlines, on a pool thread and on the ending thread
/// (<see cref="RunDriverOptions.OnEndingThread"/>). Validation refuses timeouts beyond
/// <see cref="Model.Limits.InputLimits.MaxTimeout"/>, but a run stored before it did may carry one:
/// the driver must still wait for it exactly, without handing a timer more than it can take.
/// </summary>
public sealed class PipelineRunDriverTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory(Timeout = 30000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RunAsync_RunTimeoutBeyondWhatATimerTakes_RunsToItsEnd(bool onEndingThread)
    {
        // Issue finding 10: timeouts.pipeline 8760h ended the run InternalError (ArgumentOutOfRangeException).
        var time = new FakeTimeProvider(T0);
        var driver = new PipelineRunDriver(new InstantExecutor(), new SilentListener(), new RunDriverOptions { Time = time, OnEndingThread = onEndingThread });

        var final = await driver.RunAsync(Start("8760h"), TestContext.Current.CancellationToken);

        Assert.Equal("Succeeded", final.Completion!.Reason);
    }

    [Theory(Timeout = 30000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RunAsync_DeadlineBeyondTheLongestWait_WakesToDecideAgainAndTimesOutOnTime(bool onEndingThread)
    {
        var time = new TimerAwareTimeProvider(T0);
        var executor = new BlockingExecutor();
        var driver = new PipelineRunDriver(executor, new SilentListener(), new RunDriverOptions { Time = time, OnEndingThread = onEndingThread });
        var ct = TestContext.Current.CancellationToken;
        var run = driver.RunAsync(Start("2000h"), ct);
        await executor.Started.Task.WaitAsync(ct);
        await time.WaitForTimersAsync(1, ct);

        // The first wait ends at 1000h (the longest one timer is given): the driver decides again,
        // changes nothing, and waits for the rest.
        time.Advance(TimeSpan.FromHours(1999));
        Assert.Equal(1, time.Fired);
        await time.WaitForTimersAsync(2, ct);
        Assert.False(run.IsCompleted);
        Assert.False(executor.Cancelled.Task.IsCompleted);

        time.Advance(TimeSpan.FromHours(1));
        var final = await run;

        Assert.True(executor.Cancelled.Task.IsCompleted);
        Assert.Equal("PipelineRunTimeout", final.Completion!.Reason);
        Assert.Equal(T0 + TimeSpan.FromHours(2000), final.Completion.Time);
    }

    [Theory(Timeout = 30000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RunAsync_OnEndingThread_StartsTheNextAttemptOnTheThreadThatEndedTheLastOnlyThen(bool onEndingThread)
    {
        var executor = new HandEndedExecutor();
        var driver = new PipelineRunDriver(executor, new SilentListener(), new RunDriverOptions { Time = new FakeTimeProvider(T0), OnEndingThread = onEndingThread });
        var ct = TestContext.Current.CancellationToken;
        var run = driver.RunAsync(Start("1h", second: true), ct);
        var first = await executor.Started.Reader.ReadAsync(ct);

        // The first attempt ends on a thread of the test's own; the second one (after it) starts on it or on a pool thread.
        var ending = 0;
        var ender = new Thread(() =>
        {
            ending = Environment.CurrentManagedThreadId;
            first.End.SetResult(HandEndedExecutor.Succeeded);
        });
        ender.Start();
        ender.Join();
        var second = await executor.Started.Reader.ReadAsync(ct);
        second.End.SetResult(HandEndedExecutor.Succeeded);
        var final = await run;

        Assert.Equal(["a", "b"], [first.Task, second.Task]);
        Assert.Equal(onEndingThread, second.Thread == ending);
        Assert.Equal("Succeeded", final.Completion!.Reason);
    }

    [Theory(Timeout = 30000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RunAsync_SlotFreed_StartsTheQueuedAttemptBeforeTheNextDecision(bool onEndingThread)
    {
        // One slot, two tasks ready at once: b waits in the queue until a ends, and is handed to
        // the executor before the decision that records a's end. That decision waits here until b
        // has started: had the driver started b only after it, b would never start.
        var bStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var executor = new HandEndedExecutor { OnStart = task => (task == "b" ? bStarted : null)?.TrySetResult() };
        var waited = new List<bool>();
        var listener = new SilentListener(async record =>
        {
            if (record.Events.OfType<AttemptEnded>().Any(e => e.PipelineTask == "a"))
            {
                waited.Add(await bStarted.Task.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default));
            }
        });
        var driver = new PipelineRunDriver(executor, listener, new RunDriverOptions { Time = new FakeTimeProvider(T0), OnEndingThread = onEndingThread, Parallelism = 1 });
        var ct = TestContext.Current.CancellationToken;
        var run = driver.RunAsync(Start("1h", second: true, after: false), ct);
        var first = await executor.Started.Reader.ReadAsync(ct);
        first.End.SetResult(HandEndedExecutor.Succeeded);
        var second = await executor.Started.Reader.ReadAsync(ct);
        second.End.SetResult(HandEndedExecutor.Succeeded);
        var final = await run;

        Assert.Equal(["a", "b"], [first.Task, second.Task]);
        Assert.Equal([true], waited);
        Assert.Equal("Succeeded", final.Completion!.Reason);
    }

    [Fact]
    public void MayStartQueued_CancelRequestOrDeadlinePassed_WaitsForTheDecision()
    {
        var state = Start("1h");

        Assert.True(PipelineRunScheduler.MayStartQueued(state, T0.AddMinutes(59)));
        Assert.False(PipelineRunScheduler.MayStartQueued(state, T0.AddHours(1)));
        Assert.False(PipelineRunScheduler.MayStartQueued(PipelineRunScheduler.RequestCancel(state, "CancelledRunFinally"), T0));
    }

    private static PipelineRunState Start(string pipelineTimeout, bool second = false, bool after = true)
    {
        // Built without validation, as a run stored before validation refused such timeouts.
        var bag = new DiagnosticBag();
        var resources = new ResourceSet
        {
            All = [.. ResourceLoader.Load("old.yaml", $$"""
                apiVersion: tekton.dev/v1
                kind: PipelineRun
                metadata: {name: old}
                spec:
                  timeouts: {pipeline: {{pipelineTimeout}}}
                  pipelineSpec:
                    tasks:
                      - name: a
                        timeout: "0"
                        taskSpec:
                          steps: [{name: s, image: x, script: "true"}]
                {{(second ? $"      - {{name: b, {(after ? "runAfter: [a], " : "")}taskSpec: {{steps: [{{name: s, image: x, script: \"true\"}}]}}}}" : "")}}
                """, bag)],
        };
        Assert.False(bag.HasErrors, string.Join('\n', bag.Items));
        var run = resources.PipelineRuns.Single();
        var spec = run.Spec.PipelineSpec!;
        return PipelineRunScheduler.Start(run, spec, PipelineParams.Resolve(spec, run.Spec.Params, "old"), resources, "uid-old", T0);
    }

    private sealed class SilentListener(Func<DecisionRecord, Task>? onDecision = null) : IRunListener
    {
        public async ValueTask OnDecisionAsync(PipelineRunState state, DecisionRecord record, CancellationToken cancellationToken)
        {
            if (onDecision is not null)
            {
                await onDecision(record);
            }
        }

        public void OnLog(TaskRunRequest request, string container, string line)
        {
        }

        public void OnStep(TaskRunRequest request, StepState step)
        {
        }
    }

    /// <summary>A fake clock that tells when timers are made on it (the driver's waits) and how many fired.</summary>
    private sealed class TimerAwareTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
    {
        private readonly object _gate = new();
        private int _timers;
        private int _fired;
        private TaskCompletionSource _made = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Fired => Volatile.Read(ref _fired);

        public async Task WaitForTimersAsync(int count, CancellationToken cancellationToken)
        {
            while (true)
            {
                Task made;
                lock (_gate)
                {
                    if (_timers >= count)
                    {
                        return;
                    }

                    made = _made.Task;
                }

                await made.WaitAsync(cancellationToken);
            }
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(s =>
            {
                Interlocked.Increment(ref _fired);
                callback(s);
            }, state, dueTime, period);
            lock (_gate)
            {
                _timers++;
                _made.SetResult();
                _made = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            return timer;
        }
    }

    private sealed class InstantExecutor : ITaskExecutor
    {
        public async Task<TaskRunOutcome> RunAsync(TaskRunRequest request, ITaskRunListener listener, CancellationToken cancellationToken)
        {
            await Task.Yield();
            return new TaskRunOutcome { Phase = TaskRunPhase.Succeeded, StartTime = T0, CompletionTime = T0, Results = ImmutableArray<RunResult>.Empty };
        }
    }

    /// <summary>Ends each attempt when the test says so, on the test's thread; tells which thread started each.</summary>
    private sealed class HandEndedExecutor : ITaskExecutor
    {
        public static readonly TaskRunOutcome Succeeded = new() { Phase = TaskRunPhase.Succeeded, StartTime = T0, CompletionTime = T0, Results = ImmutableArray<RunResult>.Empty };

        public Action<string>? OnStart { get; init; }

        public System.Threading.Channels.Channel<(string Task, int Thread, TaskCompletionSource<TaskRunOutcome> End)> Started { get; } =
            System.Threading.Channels.Channel.CreateUnbounded<(string, int, TaskCompletionSource<TaskRunOutcome>)>();

        public async Task<TaskRunOutcome> RunAsync(TaskRunRequest request, ITaskRunListener listener, CancellationToken cancellationToken)
        {
            // Continuations run where the test ends the attempt: on its thread.
            var end = new TaskCompletionSource<TaskRunOutcome>();
            OnStart?.Invoke(request.PipelineTaskName!);
            Started.Writer.TryWrite((request.PipelineTaskName!, Environment.CurrentManagedThreadId, end));
            return await end.Task.ConfigureAwait(false);
        }
    }

    /// <summary>Runs until cancelled, as a step that never ends.</summary>
    private sealed class BlockingExecutor : ITaskExecutor
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<TaskRunOutcome> RunAsync(TaskRunRequest request, ITaskRunListener listener, CancellationToken cancellationToken)
        {
            Started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Cancelled.TrySetResult();
            }

            return new TaskRunOutcome { Phase = TaskRunPhase.Cancelled, StartTime = T0, CompletionTime = T0 };
        }
    }
}
