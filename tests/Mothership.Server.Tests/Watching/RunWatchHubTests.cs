using System.Reflection;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Mothership.Server.Api;
using Mothership.Server.Hosting;
using Mothership.Server.Watching;
using Mothership.Store;

namespace Mothership.Server.Tests.Watching;

/// <summary>A run's watch on a real SQLite store whose reads the test fails: a read that fails keeps the viewers' streams.</summary>
public sealed class RunWatchHubTests : IAsyncDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mothership-watchhub-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync()
    {
        _dir.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }

    /// <summary>Fails the next <see cref="FailReads"/> summary reads as an unavailable store does.</summary>
    public class FailingStore : StoreProxy
    {
        private int _failReads;

        public int FailReads
        {
            get => Volatile.Read(ref _failReads);
            set => Volatile.Write(ref _failReads, value);
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod!.Name == nameof(IRunStore.GetRunSummaryAsync) && Interlocked.Decrement(ref _failReads) >= 0)
            {
                return Task.FromException<RunSummary?>(new StoreUnavailableException("the run store (sqlite) is unavailable: database is locked"));
            }

            return Forward(targetMethod, args);
        }
    }

    private static async Task<string?> NextEventAsync(ChannelReader<byte[]> frames)
    {
        if (!await frames.WaitToReadAsync(Ct))
        {
            return null;
        }

        Assert.True(frames.TryRead(out var frame));
        return Encoding.UTF8.GetString(frame).Split('\n')[0];
    }

    [Fact(Timeout = 30000)]
    public async Task Subscribe_StoreReadFails_StreamKeptAndTheNextReadEndsIt()
    {
        var inner = RunStoreFactory.Open($"sqlite:{Path.Combine(_dir.FullName, "runs.db")}", TimeProvider.System);
        await using var _ = inner;
        await inner.MigrateAsync(Ct);
        var run = new RunRecord
        {
            Uid = "u1", Kind = "TaskRun", Name = "r1", Pipeline = "", Phase = RunPhase.Running, Status = "Unknown", Reason = "Running",
            CreatedAt = TimeProvider.System.GetUtcNow(), Manifest = "",
        };
        await inner.CreateRunAsync(run, "test", Ct);
        var (store, failing) = StoreProxy.Wrap<FailingStore>(inner);
        var hub = new RunWatchHub(store, new RunGraphCache(TimeProvider.System), Options.Create(new ServerOptions { PollInterval = TimeSpan.FromHours(1) }),
            TimeProvider.System, NullLogger<RunWatchHub>.Instance);

        var frames = hub.Subscribe(run, Ct);
        Assert.Equal("event: run", await NextEventAsync(frames));

        failing.FailReads = 1;
        hub.Notify("u1");
        await Task.Delay(RunWatch.MinInterval * 3, Ct);
        Assert.Equal(0, Math.Max(failing.FailReads, 0));
        Assert.False(frames.Completion.IsCompleted);
        Assert.Equal(1, hub.Count);

        // The run is deleted: the next read finds it gone and ends the stream with its end.
        Assert.True(await inner.DeleteRunAsync("u1", "test", Ct));
        hub.Notify("u1");
        Assert.Equal("event: end", await NextEventAsync(frames));
        Assert.Null(await NextEventAsync(frames));
    }
}
