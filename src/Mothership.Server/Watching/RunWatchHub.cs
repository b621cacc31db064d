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
/// receives the same bytes, so a thousand viewers of a 10,000-task run cost the store and the CPU
/// what one does. A watch starts with its first viewer and stops with its last. The replica that
/// drives a run says when it stored something (<see cref="Notify"/>), so changes arrive at once;
/// runs driven by another replica are read every <see cref="ServerOptions.PollInterval"/>.
/// </summary>
internal sealed partial class RunWatchHub
{
    private readonly IRunStore _store;
    private readonly RunGraphCache _graphs;
    private readonly IOptions<ServerOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<RunWatchHub> _logger;
    private readonly RunFeeds<RunWatch, byte[]> _watches;

    public RunWatchHub(IRunStore store, RunGraphCache graphs, IOptions<ServerOptions> options, TimeProvider time, ILogger<RunWatchHub> logger)
    {
        (_store, _graphs, _options, _time, _logger) = (store, graphs, options, time, logger);
        _watches = new(RunWatch.ViewerBacklog, (e, uid) => LogWatchFailed(logger, e, uid));
    }

    /// <summary>Runs watched now (tests, metrics).</summary>
    internal int Count => _watches.Count;

    /// <summary>The run stored a change (called by its driver on this replica): its watch, if any, reads it now.</summary>
    public void Notify(string uid) => _watches.Notify(uid);

    /// <summary>
    /// A viewer's stream of the run's changes as SSE frames (UTF-8, shared by every viewer: not to be changed): the current state first, then each
    /// change, then an <c>end</c> frame once the run has finished. The reader completes early when
    /// the viewer fell too far behind (it reconnects and starts from the current state again).
    /// </summary>
    public ChannelReader<byte[]> Subscribe(RunRecord run, CancellationToken viewerGone)
    {
        ArgumentNullException.ThrowIfNull(run);
        return _watches.Subscribe(run.Uid, () => new RunWatch(run, _store, _graphs, _options.Value.PollInterval, _time, _logger), viewerGone);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The watch of run {Uid} stopped on an error; its viewers reconnect")]
    private static partial void LogWatchFailed(ILogger logger, Exception exception, string uid);
}
