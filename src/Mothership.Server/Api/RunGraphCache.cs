using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Mothership.Model.Graph;
using Mothership.Model.Tekton;
using Mothership.Server.Runs;
using Mothership.Store;

namespace Mothership.Server.Api;

/// <summary>A PipelineRun's graph as served and the ETag naming it.</summary>
internal sealed record CachedGraph(RunGraphDocument Document, string ETag)
{
    /// <summary>The document's bytes, as <c>GET …/graph</c> serves them.</summary>
    public byte[] Bytes => Document.Bytes;
}

/// <summary>
/// The graphs of recently asked-for PipelineRuns (<see cref="RunGraph"/>), built once per stored run
/// object and served as the same bytes to every viewer until the run object changes. A graph is
/// kept under the run's phase and <see cref="RunSummary.ObjectVersion"/>, so a request that finds
/// it reads the run's summary row alone, not the run object (8 MB at 10,000 tasks). What the
/// pipeline alone decides (<see cref="RunGraphShape"/>: read from the run's manifest, or handed over by
/// the replica that accepted or drives the run) is kept with it: a 10,000-task manifest takes longer
/// to read than the graph takes to build.
/// <para>
/// While a run runs, the replica that drives it hands each new run object here, which builds its
/// graph from the object in memory and keeps it under the version the store gives the object
/// (<see cref="PublishAsync"/>): off the request path, so a request finds the graph of the
/// object it read already built. That is done only for
/// runs whose graph was asked for within <see cref="InterestWindow"/> (nobody looking costs
/// nothing but the graph before the first object, drawn once when the run is primed: a run is
/// often opened just after it was created, while its driver starts). A replica that does not
/// drive the run builds the graph of a new object on the first request that reads it. A running
/// run's graph older than <see cref="RunningMaxAge"/> (a long step, no new object) is served as it
/// is while one rebuild runs in the background, so a long step's duration grows: that graph is at
/// most <see cref="RunningMaxAge"/> plus one build old.
/// </para>
/// </summary>
internal sealed class RunGraphCache(TimeProvider time)
{
    /// <summary>Runs whose graph is kept; the least recently built goes first.</summary>
    public const int Capacity = 32;

    /// <summary>Graphs kept per run: the newest published and the one before it (a reader may still hold the older object).</summary>
    private const int GraphsPerRun = 2;

    /// <summary>How long a running run's graph is served unchanged when its object did not change.</summary>
    public static readonly TimeSpan RunningMaxAge = TimeSpan.FromSeconds(2);

    /// <summary>How long after the last request for a run's graph its driver keeps building it with each new object.</summary>
    public static readonly TimeSpan InterestWindow = TimeSpan.FromMinutes(1);

    private sealed class Entry
    {
        /// <summary>The run's pipeline as the graph draws it; null when its manifest holds none that can be read.</summary>
        public required RunGraphShape? Shape { get; init; }
        /// <summary>One build at a time per run.</summary>
        public SemaphoreSlim Building { get; } = new(1, 1);
        /// <summary>The newest graphs first, by object key (read and replaced whole; never changed in place).</summary>
        public (string Key, CachedGraph Graph, DateTimeOffset BuiltAt)[] Graphs { get; set; } = [];
        /// <summary>When the graph was last asked for (UTC ticks; written by requests, read by the driver).</summary>
        public long AskedAt;
        /// <summary>The background rebuild of an aged graph, if one runs (guarded by the entry).</summary>
        public Task? Refresh { get; set; }
        /// <summary>The drawing of the graph before the first run object, started when the run was primed.</summary>
        public Task? Drawing { get; set; }
    }

    private readonly ConcurrentDictionary<string, Lazy<Entry>> _entries = new(StringComparer.Ordinal);

    /// <summary>
    /// The replica that accepted <paramref name="uid"/> or is about to drive it hands over the
    /// pipeline it validated or prepared, and the driver its DAG (<paramref name="graph"/>), so the
    /// run's first graph request neither reads the manifest again nor builds the DAG again (at
    /// 10,000 tasks those were most of that request's time). The first of them draws, in the
    /// background, the graph before the first run object; nothing else is drawn until asked for.
    /// </summary>
    public void Prime(string uid, PipelineSpec spec, PipelineGraph? graph = null)
    {
        var entry = new Entry { Shape = new RunGraphShape(spec, graph) };
        var lazy = new Lazy<Entry>(() => entry);
        _ = lazy.Value;
        if (_entries.TryAdd(uid, lazy))
        {
            // A dashboard opens a run just created: its first graph request comes while the driver
            // starts, before the first run object, when drawing 10,000 tasks took several times
            // its quiet 20 ms. The graph of the run not started is drawn now, off the request.
            entry.Drawing = Task.Run(() => DrawNotStartedAsync(entry, CancellationToken.None), CancellationToken.None);
            Trim();
        }
        else if (graph is not null && _entries.TryGetValue(uid, out var primed) && primed.IsValueCreated && primed.Value.Shape is { } shape)
        {
            shape.Offer(graph);
        }
    }

    /// <summary>The graph of <paramref name="run"/> as stored now; null when its manifest holds no readable pipeline.</summary>
    public Task<CachedGraph?> GetAsync(RunRecord run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        return GetAsync(run, _ => Task.FromResult<RunRecord?>(run), cancellationToken);
    }

    /// <summary>
    /// The graph of the run <paramref name="summary"/> names, as stored now: from the cache when it
    /// holds the graph of that object, else from the run read from <paramref name="store"/>. Null
    /// when the run is gone or its manifest holds no readable pipeline.
    /// </summary>
    public Task<CachedGraph?> GetAsync(RunSummary summary, IRunStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(store);
        return GetAsync(summary, ct => store.GetRunByUidAsync(summary.Uid, ct), cancellationToken);
    }

    private async Task<CachedGraph?> GetAsync(RunSummary summary, Func<CancellationToken, Task<RunRecord?>> read, CancellationToken cancellationToken)
    {
        var record = summary as RunRecord;
        if (!_entries.TryGetValue(summary.Uid, out var lazy) || !lazy.IsValueCreated)
        {
            // The pipeline comes from the manifest: a run not primed here is read whole once.
            record ??= await read(cancellationToken).ConfigureAwait(false);
            if (record is not { } run)
            {
                return null;
            }

            lazy = _entries.GetOrAdd(run.Uid, _ => new Lazy<Entry>(() => new Entry { Shape = RunManifest.Load(run).PipelineSpec is { } spec ? new RunGraphShape(spec) : null }));
        }

        var entry = lazy.Value;
        if (entry.Shape is not { } shape)
        {
            return null;
        }

        Volatile.Write(ref entry.AskedAt, time.GetUtcNow().UtcTicks);
        var key = KeyOf(summary.Phase, summary.ObjectVersion);
        if (Find(entry, key) is { } found)
        {
            if (summary.Phase != RunPhase.Finished && time.GetUtcNow() - found.BuiltAt >= RunningMaxAge)
            {
                // Same object, only older: served as it is while one rebuild makes the running durations grow.
                lock (entry)
                {
                    if (entry.Refresh is not { IsCompleted: false })
                    {
                        entry.Refresh = Task.Run(() => RefreshAsync(entry, shape, key, record, read), CancellationToken.None);
                    }
                }
            }

            return found.Graph;
        }

        record ??= await read(cancellationToken).ConfigureAwait(false);
        if (record is not { } stored)
        {
            return null;
        }

        // The run read may be newer than the summary: its graph is the one served, under its own key.
        return await BuildAsync(entry, shape, KeyOf(stored.Phase, stored.ObjectVersion), stored.Object, force: false, cancellationToken).ConfigureAwait(false);
    }

    private async Task RefreshAsync(Entry entry, RunGraphShape shape, string key, RunRecord? record, Func<CancellationToken, Task<RunRecord?>> read)
    {
        // Only the same object is redrawn: a newer one gets its graph when it is asked for (or published).
        if ((record ?? await read(CancellationToken.None).ConfigureAwait(false)) is { } run && KeyOf(run.Phase, run.ObjectVersion) == key)
        {
            await BuildAsync(entry, shape, key, run.Object, force: true, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Stores a new object of a running run that this replica drives (<paramref name="store"/>,
    /// which gives the version it was stored as, or null when it was not stored) and, when the
    /// run's graph was asked for within <see cref="InterestWindow"/>, builds its graph first from
    /// <paramref name="text"/>, the object as stored, and keeps it under that version. Requests for
    /// the new version wait for it rather than read the object; those for the one before are
    /// served its graph meanwhile.
    /// </summary>
    public async Task PublishAsync(string uid, string text, Func<CancellationToken, Task<long?>> store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(store);
        if (!_entries.TryGetValue(uid, out var lazy) || !lazy.IsValueCreated || lazy.Value is not { Shape: { } shape } entry
            || time.GetUtcNow().UtcTicks - Volatile.Read(ref entry.AskedAt) > InterestWindow.Ticks)
        {
            await store(cancellationToken).ConfigureAwait(false);
            return;
        }

        await entry.Building.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var (document, builtAt) = Build(shape, text);
            // Kept only once stored, under the version the store gave it: a commit refused (the
            // lease lost) leaves nothing that could pass for the next owner's object.
            if (await store(cancellationToken).ConfigureAwait(false) is { } version)
            {
                var key = KeyOf(RunPhase.Running, version);
                Add(entry, key, (Cached(document, key, builtAt), builtAt));
            }
        }
        finally
        {
            entry.Building.Release();
        }
    }

    private async Task DrawNotStartedAsync(Entry entry, CancellationToken cancellationToken)
    {
        await entry.Building.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (entry.Shape is { } shape && Find(entry, NotStarted) is null)
            {
                Add(entry, NotStarted, Build(shape, NotStarted, null));
            }
        }
        finally
        {
            entry.Building.Release();
        }
    }

    // One build per change, however many viewers ask at once: the others wait for it.
    private async Task<CachedGraph> BuildAsync(Entry entry, RunGraphShape shape, string key, string? runObject, bool force, CancellationToken cancellationToken)
    {
        await entry.Building.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Find(entry, key) is { } built && (!force || time.GetUtcNow() - built.BuiltAt < RunningMaxAge))
            {
                return built.Graph;
            }

            var graph = Build(shape, key, runObject);
            Add(entry, key, graph);
            Trim();
            return graph.Graph;
        }
        finally
        {
            entry.Building.Release();
        }
    }

    private (CachedGraph Graph, DateTimeOffset BuiltAt) Build(RunGraphShape shape, string key, string? runObject)
    {
        var (document, builtAt) = Build(shape, runObject);
        return (Cached(document, key, builtAt), builtAt);
    }

    private (RunGraphDocument Document, DateTimeOffset BuiltAt) Build(RunGraphShape shape, string? runObject)
    {
        var now = time.GetUtcNow();
        if (runObject is null)
        {
            return (RunGraph.Build(shape, null, now), now);
        }

        using var document = JsonDocument.Parse(runObject);
        return (RunGraph.Build(shape, document.RootElement, now), now);
    }

    private static CachedGraph Cached(RunGraphDocument document, string key, DateTimeOffset builtAt) =>
        new(document, $"\"{key}-{builtAt.ToUnixTimeMilliseconds().ToString("x", CultureInfo.InvariantCulture)}\"");

    private static void Add(Entry entry, string key, (CachedGraph Graph, DateTimeOffset BuiltAt) built) =>
        entry.Graphs = [(key, built.Graph, built.BuiltAt), .. entry.Graphs.Where(g => g.Key != key).Take(GraphsPerRun - 1)];

    /// <summary>The drawing of the run's graph before its first object, started when it was primed (tests).</summary>
    internal Task DrawingOf(string uid) =>
        _entries.TryGetValue(uid, out var lazy) && lazy.IsValueCreated ? lazy.Value.Drawing ?? Task.CompletedTask : Task.CompletedTask;

    /// <summary>The background rebuild of the run's aged graph, if one runs (tests).</summary>
    internal Task RefreshOf(string uid)
    {
        if (!_entries.TryGetValue(uid, out var lazy) || !lazy.IsValueCreated)
        {
            return Task.CompletedTask;
        }

        lock (lazy.Value)
        {
            return lazy.Value.Refresh ?? Task.CompletedTask;
        }
    }

    private static (CachedGraph Graph, DateTimeOffset BuiltAt)? Find(Entry entry, string key) =>
        entry.Graphs.FirstOrDefault(g => g.Key == key) is { Graph: not null } g ? (g.Graph, g.BuiltAt) : null;

    /// <summary>The key of the graph before the first run object: all tasks pending, whatever the phase.</summary>
    private const string NotStarted = "none";

    /// <summary>What identifies a stored run object: the run's phase and the object's version (<see cref="RunSummary.ObjectVersion"/>).</summary>
    private static string KeyOf(RunPhase phase, long objectVersion) => objectVersion == 0
        ? NotStarted
        : string.Create(CultureInfo.InvariantCulture, $"{phase}-{objectVersion:x}");

    private void Trim()
    {
        if (_entries.Count <= Capacity)
        {
            return;
        }

        foreach (var (uid, _) in _entries.Where(e => e.Value.IsValueCreated).OrderBy(e => Volatile.Read(ref e.Value.Value.AskedAt)).Take(_entries.Count - Capacity).ToList())
        {
            _entries.TryRemove(uid, out _);
        }
    }
}
