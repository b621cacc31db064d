using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Mothership.Engine.Execution;
using Mothership.Engine.Journal;
using Mothership.Server.Observability;
using Mothership.Server.Runs;
using Mothership.Store;
using Prometheus;

namespace Mothership.Server.Tests.Runs;

public sealed class RunSupervisorTests : IAsyncDisposable
{
    private const string Owner = "replica-1";

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mothership-supervisor-");
    private IRunStore? _sqlite;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        if (_sqlite is IAsyncDisposable store)
        {
            await store.DisposeAsync();
        }

        _dir.Delete(recursive: true);
    }

    /// <summary>A SQLite store seen through a <see cref="RecordingStore"/>, holding run "run-1" (uid-1) of <paramref name="manifest"/>, claimed.</summary>
    private async Task<(IRunStore Sqlite, IRunStore Store, RecordingStore Recorder)> StoreWithRunAsync(string kind, string manifest)
    {
        var sqlite = _sqlite = RunStoreFactory.Open($"sqlite:{Path.Combine(_dir.FullName, "runs.db")}", TimeProvider.System);
        await sqlite.MigrateAsync(Ct);
        var (store, recorder) = StoreProxy.Wrap<RecordingStore>(sqlite);
        await store.CreateRunAsync(new RunRecord
        {
            Uid = "uid-1", Kind = kind, Name = "run-1", Pipeline = "", Phase = RunPhase.Queued, Status = "Unknown", Reason = "Queued",
            CreatedAt = TimeProvider.System.GetUtcNow(), Manifest = manifest,
        }, "test", Ct);
        await store.ClaimRunsAsync(Owner, 1, TimeSpan.FromMinutes(5), TimeProvider.System.GetUtcNow(), Ct);
        return (sqlite, store, recorder);
    }

    /// <summary>
    /// Drives run uid-1 to its end with <paramref name="executor"/>, on a clock that does not move:
    /// the periodic flush never comes to the rescue.
    /// </summary>
    private static async Task SuperviseAsync(IRunStore store, ITaskExecutor executor)
    {
        var supervisor = new RunSupervisor(store, executor, new FairAttemptGate(2), new RunLeftovers(executor, NullLogger<RunLeftovers>.Instance),
            new FakeTimeProvider(TimeProvider.System.GetUtcNow()), new ServerMetrics(Metrics.NewCustomRegistry()), NullLogger<RunSupervisor>.Instance)
        {
            Record = (await store.GetRunByUidAsync("uid-1", Ct))!,
            Owner = Owner,
        };

        await supervisor.RunAsync(Ct);
    }

    /// <summary>
    /// Prints a line, then fails its attempt without reporting the step's end (a lost pod, an
    /// executor's error). Task "slow" waits until an attempt's end is journaled, so that end is
    /// not also the run's.
    /// </summary>
    private sealed class FailingExecutor(RecordingStore recorder) : ITaskExecutor
    {
        public async Task<TaskRunOutcome> RunAsync(TaskRunRequest request, ITaskRunListener listener, CancellationToken cancellationToken)
        {
            if (request.TaskRunName.EndsWith("-slow", StringComparison.Ordinal))
            {
                for (var i = 0; i < 500 && !recorder.Calls.Contains("attempt ended"); i++)
                {
                    await Task.Delay(20, cancellationToken);
                }
            }
            else
            {
                listener.OnLog(request, "step-work", "last words");
            }

            throw new InvalidOperationException("the pod vanished");
        }
    }

    /// <summary>
    /// Runs steps "first" and "last" (as reports, no processes) and notes, after each step's end
    /// is reported, how many journal entries the store holds.
    /// </summary>
    private sealed class TwoStepExecutor(IRunStore store) : ITaskExecutor
    {
        public ConcurrentQueue<int> JournalAfterEachEnd { get; } = new();

        public async Task<TaskRunOutcome> RunAsync(TaskRunRequest request, ITaskRunListener listener, CancellationToken cancellationToken)
        {
            var start = TimeProvider.System.GetUtcNow();
            var steps = new List<StepState>();
            foreach (var name in new[] { "first", "last" })
            {
                var state = new StepState { Name = name, Container = $"step-{name}", Image = "busybox", StartedAt = TimeProvider.System.GetUtcNow() };
                listener.OnStep(request, state);
                listener.OnLog(request, state.Container, $"{name} line");
                state = state with { ExitCode = 0, Reason = "Completed", TerminationReason = "Completed", FinishedAt = TimeProvider.System.GetUtcNow() };
                listener.OnStep(request, state);
                steps.Add(state);
                JournalAfterEachEnd.Enqueue((await store.ReadJournalAsync(request.RunUid, cancellationToken)).Count);
            }

            return new TaskRunOutcome { Phase = TaskRunPhase.Succeeded, StartTime = start, CompletionTime = TimeProvider.System.GetUtcNow(), Steps = [.. steps] };
        }
    }

    /// <summary>Records, in order, which store calls appended logs and which journaled an attempt's end.</summary>
    public class RecordingStore : StoreProxy
    {
        public ConcurrentQueue<string> Calls { get; } = new();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod!.Name == nameof(IRunStore.AppendLogsAsync))
            {
                foreach (var chunk in (IReadOnlyList<LogChunk>)args![0]!)
                {
                    Calls.Enqueue($"log {chunk.TaskRun} {chunk.Text.TrimEnd()}");
                }
            }
            else if (targetMethod.Name == nameof(IRunStore.CommitTransitionAsync) && args![0] is RunTransition transition)
            {
                foreach (var entry in transition.JournalEntries)
                {
                    if (JournalCodec.Deserialize(entry) is StepRecord step)
                    {
                        Calls.Enqueue($"journal step {step.Step.Name}");
                    }
                }

                if (transition.JournalEntries.Any(e => e.Contains("ttemptEnded", StringComparison.Ordinal)))
                {
                    Calls.Enqueue("attempt ended");
                }
            }

            return Forward(targetMethod, args);
        }
    }

    [Theory(Timeout = 60_000)]
    [InlineData("PipelineRun")]
    [InlineData("TaskRun")]
    public async Task RunAsync_AttemptFailsWithoutItsStepsEnd_LinesStoredBeforeTheAttemptsEnd(string kind)
    {
        var manifest = kind == "PipelineRun"
            ? """
              apiVersion: tekton.dev/v1
              kind: PipelineRun
              metadata: {name: run-1}
              spec:
                pipelineSpec:
                  tasks:
                    - name: only
                      taskSpec:
                        steps:
                          - {name: work, image: busybox, script: "echo hi"}
                    - name: slow
                      taskSpec:
                        steps:
                          - {name: work, image: busybox, script: "echo hi"}
              """
            : """
              apiVersion: tekton.dev/v1
              kind: TaskRun
              metadata: {name: run-1}
              spec:
                taskSpec:
                  steps:
                    - {name: work, image: busybox, script: "echo hi"}
              """;
        var (_, store, recorder) = await StoreWithRunAsync(kind, manifest);

        await SuperviseAsync(store, new FailingExecutor(recorder));

        var calls = recorder.Calls.ToList();
        var taskRun = kind == "PipelineRun" ? "run-1-only" : "run-1";
        Assert.Contains($"log {taskRun} last words", calls);
        Assert.Contains("attempt ended", calls);
        Assert.True(calls.IndexOf($"log {taskRun} last words") < calls.IndexOf("attempt ended"), string.Join("\n", calls));
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_StepEnds_EachJournaledBeforeAnythingRunsAfterIt()
    {
        var (sqlite, store, recorder) = await StoreWithRunAsync("TaskRun", """
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata: {name: run-1}
            spec:
              taskSpec:
                steps:
                  - {name: first, image: busybox, script: "true"}
                  - {name: last, image: busybox, script: "true"}
            """);
        var executor = new TwoStepExecutor(sqlite);

        await SuperviseAsync(store, executor);

        var journal = (await sqlite.ReadJournalAsync("uid-1", Ct)).Select(e => JournalCodec.Deserialize(e.Entry)).ToList();
        var steps = journal.OfType<StepRecord>().Select(r => r.Step.Name).ToList();
        Assert.Equal(["first", "last"], steps);
        var afterEachEnd = executor.JournalAfterEachEnd.ToList();
        // Each step is journaled before its end is reported back: the entries grew by its record.
        Assert.Equal(journal.FindIndex(r => r is StepRecord { Step.Name: "first" }) + 1, afterEachEnd[0]);
        Assert.Equal(journal.FindIndex(r => r is StepRecord { Step.Name: "last" }) + 1, afterEachEnd[1]);
        Assert.True(journal.FindIndex(r => r is StepRecord { Step.Name: "last" }) < journal.FindIndex(r => r is DecisionRecord d && d.Events.OfType<TaskRunAttemptEnded>().Any()));
        // Each step's line is stored before the commit that journals its end.
        var calls = recorder.Calls.ToList();
        string[] order = ["log run-1 first line", "journal step first", "log run-1 last line", "journal step last", "attempt ended"];
        var at = order.Select(c => calls.IndexOf(c)).ToList();
        Assert.True(!at.Contains(-1) && at.SequenceEqual(at.Order()), string.Join("\n", calls));
    }
}
