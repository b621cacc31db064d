using System.Threading.Channels;
using Mothership.Server.Hosting;
using Mothership.Store;

namespace Mothership.Server.Watching;

/// <summary>
/// The live end of one run's log, read once for all its followers: after each wake-up (lines
/// appended on this replica) or every <c>poll</c> (a run another replica drives), the run's phase,
/// then every chunk after the last one read, handed to each follower as the same batch. Ends with
/// an <see cref="LogTailBatch.Ended"/> batch once the run was seen finished (its phase read before
/// its logs: a run seen finished has all its lines stored), or when stopped.
/// </summary>
internal sealed class RunLogTail(string uid, long afterId, IRunStore store, TimeSpan poll, TimeProvider time) : IRunFeed<LogTailBatch>
{
    /// <summary>Batches a follower may lag behind before it is dropped (it then reads the store itself and joins again).</summary>
    public const int FollowerBacklog = 256;

    private const int PageSize = 1000;

    private readonly Lock _lock = new();
    private readonly List<ChannelWriter<LogTailBatch>> _followers = [];
    // Any number of appends while a read runs make one more read.
    private readonly WakeSignal _wake = new();
    private readonly CancellationTokenSource _stop = new();
    private long _after = afterId;

    public string Uid => uid;

    public void Wake() => _wake.Wake();

    public void Add(ChannelWriter<LogTailBatch> follower)
    {
        lock (_lock)
        {
            _followers.Add(follower);
        }
    }

    public int Remove(ChannelWriter<LogTailBatch> follower)
    {
        follower.TryComplete();
        lock (_lock)
        {
            _followers.Remove(follower);
            return _followers.Count;
        }
    }

    public void Stop()
    {
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Ended already.
        }
    }

    /// <summary>Every follower's stream is completed at the end.</summary>
    public async Task RunAsync()
    {
        var token = _stop.Token;
        try
        {
            while (true)
            {
                var run = await store.GetRunSummaryAsync(uid, token).ConfigureAwait(false);
                IReadOnlyList<StoredLogChunk> chunks;
                do
                {
                    chunks = await store.ReadLogsAsync(new LogQuery { Uid = uid, AfterId = _after, Limit = PageSize }, token).ConfigureAwait(false);
                    if (chunks.Count > 0)
                    {
                        _after = chunks[^1].Id;
                        Publish(new LogTailBatch(chunks));
                    }
                }
                while (chunks.Count == PageSize);

                if (run is null || run.Phase == RunPhase.Finished)
                {
                    // A deleted run ends its followers' streams as a finished one does.
                    Publish(new LogTailBatch([], Ended: true, run?.Status, run?.Reason));
                    return;
                }

                await _wake.WaitAsync(poll, time, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Its last follower left.
        }
        finally
        {
            CompleteAll();
            _stop.Dispose();
        }
    }

    private void Publish(LogTailBatch batch)
    {
        lock (_lock)
        {
            for (var i = _followers.Count - 1; i >= 0; i--)
            {
                if (!_followers[i].TryWrite(batch))
                {
                    // Too far behind: its stream completes without an end, and it catches up from the store.
                    _followers[i].TryComplete();
                    _followers.RemoveAt(i);
                }
            }
        }
    }

    public void CompleteAll()
    {
        lock (_lock)
        {
            foreach (var follower in _followers)
            {
                follower.TryComplete();
            }

            _followers.Clear();
        }
    }
}
