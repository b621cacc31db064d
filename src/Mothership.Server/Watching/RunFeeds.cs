using System.Threading.Channels;

namespace Mothership.Server.Watching;

/// <summary>
/// The live feeds of runs, one per run anyone subscribes to (by uid): a feed starts with its first
/// subscriber and stops with its last or with the run, and every subscriber of a run shares it, so
/// many viewers cost the store and the CPU what one does. The rule for both hubs
/// (<see cref="RunWatchHub"/>, <see cref="RunLogHub"/>), kept once.
/// </summary>
internal sealed class RunFeeds<TFeed, T>(int backlog, Action<Exception, string> failed) where TFeed : class, IRunFeed<T>
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, TFeed> _feeds = new(StringComparer.Ordinal);

    /// <summary>Runs with a feed now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _feeds.Count;
            }
        }
    }

    /// <summary>The run stored a change: its feed, if any, reads now.</summary>
    public void Notify(string uid)
    {
        TFeed? feed;
        lock (_lock)
        {
            _feeds.TryGetValue(uid, out feed);
        }

        feed?.Wake();
    }

    /// <summary>
    /// A subscriber's stream of the run's feed (made by <paramref name="create"/> when the run has
    /// none), bounded by the backlog: a subscriber that falls that far behind is dropped by its feed.
    /// </summary>
    public ChannelReader<T> Subscribe(string uid, Func<TFeed> create, CancellationToken subscriberGone)
    {
        var channel = Channel.CreateBounded<T>(new BoundedChannelOptions(backlog) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        TFeed feed;
        lock (_lock)
        {
            if (!_feeds.TryGetValue(uid, out var existing))
            {
                existing = create();
                _feeds[uid] = existing;
                _ = RunAsync(existing);
            }

            feed = existing;
            feed.Add(channel.Writer);
        }

        subscriberGone.Register(() => Leave(feed, channel.Writer));
        return channel.Reader;
    }

    private void Leave(TFeed feed, ChannelWriter<T> subscriber)
    {
        lock (_lock)
        {
            if (feed.Remove(subscriber) > 0)
            {
                return;
            }

            Forget(feed);
        }

        // Outside the lock: stopping runs the feed's cancellation callbacks on this thread.
        feed.Stop();
    }

    private void Forget(TFeed feed)
    {
        if (_feeds.TryGetValue(feed.Uid, out var current) && current == feed)
        {
            _feeds.Remove(feed.Uid);
        }
    }

    private async Task RunAsync(TFeed feed)
    {
        try
        {
            await Task.Yield();
            await feed.RunAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            failed(e, feed.Uid);
            feed.CompleteAll();
        }
        finally
        {
            lock (_lock)
            {
                Forget(feed);
            }
        }
    }
}
