using Mothership.Engine.Execution;
using Mothership.Engine.Journal;
using Mothership.Model.Tekton;
using Mothership.Server.Observability;
using Mothership.Server.Runs;
using Mothership.Store;
using Prometheus;

namespace Mothership.Server.Tests.Runs;

/// <summary>
/// When the writer journals a step's end: with its lines stored first, before anything runs after it.
/// </summary>
public sealed class RunJournalWriterTests : IAsyncDisposable
{
    private const string Owner = "replica-1";

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mothership-journal-writer-");
    private IRunStore? _store;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        if (_store is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }

        _dir.Delete(recursive: true);
    }

    private async Task<(IRunStore Store, RunJournalWriter Writer)> WriterAsync()
    {
        _store = RunStoreFactory.Open($"sqlite:{Path.Combine(_dir.FullName, "runs.db")}", TimeProvider.System);
        await _store.MigrateAsync(Ct);
        var run = new RunRecord
        {
            Uid = "uid-1", Kind = "TaskRun", Name = "run-1", Pipeline = "", Phase = RunPhase.Queued, Status = "Unknown", Reason = "Queued",
            CreatedAt = TimeProvider.System.GetUtcNow(), Manifest = "{}",
        };
        await _store.CreateRunAsync(run, "test", Ct);
        await _store.ClaimRunsAsync(Owner, 1, TimeSpan.FromMinutes(5), TimeProvider.System.GetUtcNow(), Ct);
        return (_store, new RunJournalWriter(_store, run, Owner, 0, TimeProvider.System, new ServerMetrics(Metrics.NewCustomRegistry())));
    }

    private static TaskRunRequest Request() => new()
    {
        TaskRunName = "run-1", TaskRunUid = "uid-1", Spec = new TaskSpec(), Resources = new ResourceSet(),
    };

    private static StepState Ended(string name) => new()
    {
        Name = name, Container = $"step-{name}", ExitCode = 0, Reason = "Completed", TerminationReason = "Completed",
        StartedAt = TimeProvider.System.GetUtcNow(), FinishedAt = TimeProvider.System.GetUtcNow(),
    };

    private static async Task<List<string>> StepsJournaledAsync(IRunStore store) =>
        [.. (await store.ReadJournalAsync("uid-1", Ct)).Select(e => JournalCodec.Deserialize(e.Entry)).OfType<StepRecord>().Select(r => r.Step.Name)];

    [Fact(Timeout = 30_000)]
    public async Task StepFinished_LinesStoredAndEndJournaledBeforeItReturns()
    {
        var (store, writer) = await WriterAsync();
        await using var _ = writer;
        writer.Log(Request(), "step-first", "hello");

        writer.StepFinished(Request(), Ended("first"));

        Assert.Equal(["first"], await StepsJournaledAsync(store));
        Assert.Single(await store.ReadLogsAsync(new LogQuery { Uid = "uid-1" }, Ct));
    }
}
