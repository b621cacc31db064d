using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Mothership.Model.Tekton;
using Mothership.Server.Api;
using Mothership.Server.Hosting;
using Mothership.Server.Runs;
using Mothership.Store;

namespace Mothership.Server.Watching;

/// <summary>
/// The one producer of a watched run's changes (<see cref="RunWatchHub"/>): reads the run when told
/// it changed (or every poll interval), at most once per <see cref="MinInterval"/>, and renders
/// what changed as SSE frames, encoded once, the same bytes for every viewer:
/// <list type="bullet">
/// <item><c>run</c>: the run's list summary with its condition's message and its results;</item>
/// <item><c>graph</c> (PipelineRuns): the whole graph of <c>GET …/graph</c>, first to each viewer;</item>
/// <item><c>tasks</c> (PipelineRuns): <c>{"nodes": [...], "criticalPath": [...]}</c>, the graph nodes that changed;</item>
/// <item><c>end</c>: the run finished (or was deleted); the stream ends after it.</item>
/// </list>
/// </summary>
internal sealed partial class RunWatch(RunRecord first, IRunStore store, RunGraphCache graphs, TimeSpan poll, TimeProvider time, ILogger logger) : IRunFeed<byte[]>
{
    /// <summary>Frames a viewer may have unread before it is dropped (it reconnects and starts from the current state).</summary>
    public const int ViewerBacklog = 256;

    /// <summary>The least time between two reads of the run: a busy run's changes are sent in batches.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(250);

    private readonly Lock _lock = new();
    private readonly List<ChannelWriter<byte[]>> _viewers = [];
    private readonly WakeSignal _wake = new();
    private readonly CancellationTokenSource _stop = new();
    /// <summary>Each node's JSON as last sent (compared byte for byte to find what changed).</summary>
    private readonly Dictionary<string, byte[]> _nodes = new(StringComparer.Ordinal);
    private string? _key;
    private byte[]? _runFrame;
    /// <summary>The graph last sent; its whole frame is encoded when first needed (<see cref="GraphFrame"/>).</summary>
    private CachedGraph? _graph;
    private (CachedGraph Graph, byte[] Frame)? _graphFrame;
    private bool _ended;

    public string Uid => first.Uid;

    public string Kind => first.Kind;

    public string Name => first.Name;

    /// <summary>Adds a viewer: the current state is its first frames, then it gets every change.</summary>
    public void Add(ChannelWriter<byte[]> viewer)
    {
        lock (_lock)
        {
            if (_runFrame is not null)
            {
                viewer.TryWrite(_runFrame);
            }

            if (_graph is { } graph)
            {
                viewer.TryWrite(GraphFrame(graph));
            }

            if (_ended)
            {
                viewer.TryWrite(EndFrame(first));
                viewer.TryComplete();
                return;
            }

            _viewers.Add(viewer);
        }
    }

    /// <summary>Removes a viewer; the viewers left.</summary>
    public int Remove(ChannelWriter<byte[]> viewer)
    {
        lock (_lock)
        {
            _viewers.Remove(viewer);
            viewer.TryComplete();
            return _viewers.Count;
        }
    }

    /// <summary>The run changed: read it now (or after <see cref="MinInterval"/> since the last read).</summary>
    public void Wake() => _wake.Wake();

    public void Stop()
    {
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Stopped already.
        }
    }

    /// <summary>Ends every viewer's stream (they reconnect).</summary>
    public void CompleteAll()
    {
        lock (_lock)
        {
            foreach (var viewer in _viewers)
            {
                viewer.TryComplete();
            }

            _viewers.Clear();
        }
    }

    public async Task RunAsync()
    {
        var run = first;
        try
        {
            while (true)
            {
                try
                {
                    await PublishAsync(run, _stop.Token).ConfigureAwait(false);
                }
                catch (StoreUnavailableException e)
                {
                    // Nothing sent and the key kept: the next read finds the run changed and publishes it.
                    LogStoreUnavailable(logger, first.Name, e.Message);
                }

                if (run.Phase == RunPhase.Finished && _key == KeyOf(run))
                {
                    End(run);
                    return;
                }

                await Task.Delay(MinInterval, time, _stop.Token).ConfigureAwait(false);
                // Woken by this replica's driver, else the poll interval (another replica may drive the run).
                await _wake.WaitAsync(poll, time, _stop.Token).ConfigureAwait(false);

                RunRecord? next;
                try
                {
                    // The summary first: a wake or poll that finds the same object and status reads nothing more.
                    var summary = await store.GetRunSummaryAsync(first.Uid, _stop.Token).ConfigureAwait(false);
                    if (summary is not null && KeyOf(summary) == _key)
                    {
                        continue;
                    }

                    next = summary is null ? null : await store.GetRunByUidAsync(first.Uid, _stop.Token).ConfigureAwait(false);
                }
                catch (StoreUnavailableException e)
                {
                    // The viewers keep their streams; the next wake or poll reads again.
                    LogStoreUnavailable(logger, first.Name, e.Message);
                    continue;
                }

                if (next is null)
                {
                    End(run);
                    return;
                }

                run = next;
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // The last viewer left.
        }
        finally
        {
            _stop.Dispose();
        }
    }

    private async Task PublishAsync(RunRecord run, CancellationToken cancellationToken)
    {
        var key = KeyOf(run);
        if (key == _key)
        {
            return;
        }

        var runFrame = Frame("run", RunData(run).ToJsonString());
        var frames = new List<byte[]> { runFrame };
        CachedGraph? sent = null;
        if (run.Kind == nameof(PipelineRun) && await graphs.GetAsync(run, cancellationToken).ConfigureAwait(false) is { } graph)
        {
            var changed = new List<RunGraphNode>();
            foreach (var node in graph.Document.Nodes)
            {
                if (!_nodes.TryGetValue(node.Name, out var before) || !before.AsSpan().SequenceEqual(node.Json))
                {
                    _nodes[node.Name] = node.Json;
                    changed.Add(node);
                }
            }

            if (_graph is null)
            {
                frames.Add(GraphFrame(graph));
            }
            else if (changed.Count > 0)
            {
                frames.Add(Frame("tasks", graph.Document.Changes(changed)));
            }

            sent = graph;
        }

        _key = key;
        Send(frames, runFrame, sent);
    }

    /// <summary>What a change of the run changes: its status and the version of its object.</summary>
    private static string KeyOf(RunSummary run) => $"{run.Phase}|{run.Status}|{run.Reason}|{run.CompletedAt:O}|{run.ObjectVersion}";

    /// <summary>The run's list summary with its condition's message and results (the run object parsed once per change, here only).</summary>
    private JsonObject RunData(RunRecord run)
    {
        var data = RunObjects.Summary(run);
        if (run.Object is not { } text)
        {
            return data;
        }

        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.TryGetProperty("status", out var status))
            {
                if (status.TryGetProperty("conditions", out var conditions) && conditions.ValueKind == JsonValueKind.Array && conditions.GetArrayLength() > 0
                    && conditions[0].TryGetProperty("message", out var message))
                {
                    data["message"] = message.GetString();
                }

                if (status.TryGetProperty("results", out var results))
                {
                    data["results"] = JsonNode.Parse(results.GetRawText());
                }
            }
        }
        catch (JsonException e)
        {
            LogUnreadableObject(logger, run.Name, e.Message);
        }

        return data;
    }

    private void End(RunRecord run)
    {
        lock (_lock)
        {
            _ended = true;
            first = run;
        }

        Send([EndFrame(run)], null, null);
        CompleteAll();
    }

    private static byte[] EndFrame(RunRecord run) => Frame("end", RunObjects.Summary(run).ToJsonString());

    /// <summary>
    /// The same frames to every viewer (one that cannot keep up is dropped: its stream ends, it
    /// reconnects), and the state a viewer joining later starts from, changed under the same lock.
    /// </summary>
    private void Send(IReadOnlyList<byte[]> frames, byte[]? runFrame, CachedGraph? graph)
    {
        var dropped = 0;
        lock (_lock)
        {
            _runFrame = runFrame ?? _runFrame;
            _graph = graph ?? _graph;
            foreach (var viewer in _viewers.ToList())
            {
                if (!frames.All(viewer.TryWrite))
                {
                    viewer.TryComplete();
                    _viewers.Remove(viewer);
                    dropped++;
                }
            }
        }

        if (dropped > 0)
        {
            LogViewersDropped(logger, dropped, first.Name, ViewerBacklog);
        }
    }

    private static byte[] Frame(string name, string data) => Frame(name, Encoding.UTF8.GetBytes(data));

    /// <summary>The whole graph's frame, made once per graph: the watch's first frames and those of each viewer joining later share it.</summary>
    private byte[] GraphFrame(CachedGraph graph)
    {
        lock (_lock)
        {
            if (_graphFrame is not { } built || built.Graph != graph)
            {
                _graphFrame = built = (graph, Frame("graph", graph.Bytes));
            }

            return built.Frame;
        }
    }

    /// <summary>A frame around JSON already encoded (the graph's bytes as <c>GET …/graph</c> serves them).</summary>
    private static byte[] Frame(string name, byte[] data)
    {
        var head = Encoding.UTF8.GetBytes($"event: {name}\ndata: ");
        var frame = new byte[head.Length + data.Length + 2];
        head.CopyTo(frame, 0);
        data.CopyTo(frame, head.Length);
        frame[^2] = (byte)'\n';
        frame[^1] = (byte)'\n';
        return frame;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} viewer(s) of the watch of run {Run} fell {Backlog} frames behind and were dropped; they reconnect")]
    private static partial void LogViewersDropped(ILogger logger, int count, string run, int backlog);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The watch of run {Run} could not read it and reads again at the next change or poll: {Message}")]
    private static partial void LogStoreUnavailable(ILogger logger, string run, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The stored object of run {Run} is not JSON: {Message}")]
    private static partial void LogUnreadableObject(ILogger logger, string run, string message);
}
