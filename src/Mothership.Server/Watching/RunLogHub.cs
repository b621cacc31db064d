using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Mothership.Store;

namespace Mothership.Server.Watching;

/// <summary>
/// Followers of live run logs (<c>GET /api/v1/{kinds}/NAME/logs?follow=true</c>): one
/// <see cref="RunLogTail"/> per followed run reads the store and every follower of that run
/// receives the same chunks, so twenty viewers of a run's log cost the store what one does. A
/// tail starts with its first follower and stops with its last or with the run. The replica that
/// drives a run says when it stored lines (<see cref="Notify"/>), so they arrive at once; runs
/// driven by another replica are read every <see cref="Poll"/>.
/// </summary>
internal sealed partial class RunLogHub
{
    /// <summary>How often a tail reads a run that no one here says changed (another replica drives it).</summary>
    public static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    private readonly IRunStore _store;
    private readonly TimeProvider _time;
    private readonly RunFeeds<RunLogTail, LogTailBatch> _tails;

    public RunLogHub(IRunStore store, TimeProvider time, ILogger<RunLogHub> logger)
    {
        _store = store;
        _time = time;
        _tails = new(RunLogTail.FollowerBacklog, (e, uid) => LogTailFailed(logger, e, uid));
    }

    /// <summary>Runs whose log is followed now (tests, metrics).</summary>
    internal int Count => _tails.Count;

    /// <summary>The run stored log lines or its end (called by its driver on this replica): its tail, if any, reads now.</summary>
    public void Notify(string uid) => _tails.Notify(uid);

    /// <summary>
    /// A follower's feed of the run's new chunks, from about <paramref name="afterId"/> on: the
    /// caller subscribes first and then reads the store up to the present itself, skipping in the
    /// feed what it already has (by id), so nothing falls between the two. The feed ends with an
    /// <see cref="LogTailBatch.Ended"/> batch, or completes without one when the follower fell
    /// behind or the tail stopped (the caller then reads the store again and subscribes anew).
    /// </summary>
    public ChannelReader<LogTailBatch> Subscribe(string uid, long afterId, CancellationToken followerGone) =>
        _tails.Subscribe(uid, () => new RunLogTail(uid, afterId, _store, Poll, _time), followerGone);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The log tail of run {Uid} stopped on an error; its followers read the store again")]
    private static partial void LogTailFailed(ILogger logger, Exception exception, string uid);
}
