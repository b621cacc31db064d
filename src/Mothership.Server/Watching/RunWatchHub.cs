using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mothership.Server.Api;
using Mothership.Server.Hosting;
using Mothership.Store;

namespace Mothership.Server.Watching;

/// <summary>
/// The server-sent changes of runs (<c>GET /api/v1/{kinds}/NAME/watch</c>): one <see cref="RunWatch"/>
/// per watched run reads the store and renders each change once, and every viewer of that run
/// receives the same text, so a thousand viewers of a 10,000-task run cost the store and the CPU
/// what one does. A watch starts with its first viewer and stops with its last. The replica that
/// drives a run says when it stored something (<see cref="Notify"/>), so changes arrive at once;
/// runs driven by another replica are read every <see cref="ServerOptions.PollInterval"/>.
/// </summary>
internal sealed partial class RunWatchHub(IRunStore store, RunGraphCache graphs, IOptions<ServerOptions> options, TimeProvider time, ILogger<RunWatchHub> logger)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Kind, string Name), RunWatch> _watches = [];
    private readonly Dictionary<string, RunWatch> _byUid = new(StringComparer.Ordinal);

    /// <summary>Runs watched now (tests, metrics).</summary>
    internal int Count
    {
        get
        {
            lock (_lock)
            {
                return _watches.Count;
            }
        }
    }

    /// <summary>The run stored a change (called by its driver on this replica): its watch, if any, reads it now.</summary>
    public void Notify(string uid)
    {
        RunWatch? watch;
        lock (_lock)
        {
            _byUid.TryGetValue(uid, out watch);
        }

        watch?.Wake();
    }

    /// <summary>
    /// A viewer's stream of the run's changes as SSE frames: the current state first, then each
    /// change, then an <c>end</c> frame once the run has finished. The reader completes early when
    /// the viewer fell too far behind (it reconnects and starts from the current state again).
    /// </summary>
    public ChannelReader<string> Subscribe(RunRecord run, CancellationToken viewerGone)
    {
        ArgumentNullException.ThrowIfNull(run);
        var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(RunWatch.ViewerBacklog) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        RunWatch watch;
        lock (_lock)
        {
            if (_watches.TryGetValue((run.Kind, run.Name), out var existing) && existing.Uid == run.Uid)
            {
                watch = existing;
            }
            else
            {
                watch = new RunWatch(run, store, graphs, options.Value.PollInterval, time, logger);
                _watches[(run.Kind, run.Name)] = watch;
                _byUid[run.Uid] = watch;
                _ = RunAsync(watch);
            }

            watch.Add(channel.Writer);
        }

        viewerGone.Register(() => Leave(watch, channel.Writer));
        return channel.Reader;
    }

    private void Leave(RunWatch watch, ChannelWriter<string> viewer)
    {
        lock (_lock)
        {
            if (watch.Remove(viewer) > 0)
            {
                return;
            }

            Forget(watch);
        }

        // Outside the lock: stopping runs the watch's cancellation callbacks on this thread.
        watch.Stop();
    }

    private void Forget(RunWatch watch)
    {
        if (_watches.TryGetValue((watch.Kind, watch.Name), out var current) && current == watch)
        {
            _watches.Remove((watch.Kind, watch.Name));
            _byUid.Remove(watch.Uid);
        }
    }

    private async Task RunAsync(RunWatch watch)
    {
        try
        {
            await Task.Yield();
            await watch.RunAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogWatchFailed(logger, e, watch.Name);
            watch.CompleteAll();
        }
        finally
        {
            lock (_lock)
            {
                Forget(watch);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The watch of run {Run} stopped on an error; its viewers reconnect")]
    private static partial void LogWatchFailed(ILogger logger, Exception exception, string run);
}
