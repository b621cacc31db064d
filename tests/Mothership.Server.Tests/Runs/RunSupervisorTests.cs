using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Mothership.Engine.Execution;
using Mothership.Server.Observability;
using Mothership.Server.Runs;
using Mothership.Store;
using Prometheus;

namespace Mothership.Server.Tests.Runs;

public sealed class RunSupervisorTests : IAsyncDisposable
{
    private const string Owner = "replica-1";

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mothership-supervisor-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync()
    {
        _dir.Delete(recursive: true);
        return ValueTask.CompletedTask;
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

    /// <summary>Records, in order, which store calls appended logs and which journaled an attempt's end.</summary>
    public class RecordingStore : DispatchProxy
    {
        public IRunStore Inner { get; set; } = null!;

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
            else if (targetMethod.Name == nameof(IRunStore.CommitTransitionAsync) && args![0] is RunTransition { JournalEntry: { } entry } && entry.Contains("ttemptEnded", StringComparison.Ordinal))
            {
                Calls.Enqueue("attempt ended");
            }

            try
            {
                return targetMethod.Invoke(Inner, args);
            }
            catch (TargetInvocationException e)
            {
                throw e.InnerException!;
            }
        }
    }

    [Theory(Timeout = 60_000)]
    [InlineData("PipelineRun")]
    [InlineData("TaskRun")]
    public async Task RunAsync_AttemptFailsWithoutItsStepsEnd_LinesStoredBeforeTheAttemptsEnd(string kind)
    {
        var sqlite = RunStoreFactory.Open($"sqlite:{Path.Combine(_dir.FullName, "runs.db")}", TimeProvider.System);
        await sqlite.MigrateAsync(Ct);
        var store = DispatchProxy.Create<IRunStore, RecordingStore>();
        var recorder = (RecordingStore)(object)store;
        recorder.Inner = sqlite;
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
        var record = new RunRecord
        {
            Uid = "uid-1", Kind = kind, Name = "run-1", Pipeline = "", Phase = RunPhase.Queued, Status = "Unknown", Reason = "Queued",
            CreatedAt = TimeProvider.System.GetUtcNow(), Manifest = manifest,
        };
        await store.CreateRunAsync(record, "test", Ct);
        await store.ClaimRunsAsync(Owner, 1, TimeSpan.FromMinutes(5), TimeProvider.System.GetUtcNow(), Ct);
        var executor = new FailingExecutor(recorder);
        // A clock that does not move: the periodic flush never comes to the rescue.
        var supervisor = new RunSupervisor(store, executor, new FairAttemptGate(2), new RunLeftovers(executor, NullLogger<RunLeftovers>.Instance),
            new FakeTimeProvider(TimeProvider.System.GetUtcNow()), new ServerMetrics(Metrics.NewCustomRegistry()), NullLogger<RunSupervisor>.Instance)
        {
            Record = (await store.GetRunByUidAsync("uid-1", Ct))!,
            Owner = Owner,
        };

        await supervisor.RunAsync(Ct);

        var calls = recorder.Calls.ToList();
        var taskRun = kind == "PipelineRun" ? "run-1-only" : "run-1";
        Assert.Contains($"log {taskRun} last words", calls);
        Assert.Contains("attempt ended", calls);
        Assert.True(calls.IndexOf($"log {taskRun} last words") < calls.IndexOf("attempt ended"), string.Join("\n", calls));
    }
}
