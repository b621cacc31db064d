using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Mothership.Model.Tekton;
using Mothership.Server.Runs;
using Mothership.Store;

namespace Mothership.Server.Api;

/// <summary>A PipelineRun's graph as served: its JSON bytes, the ETag naming them, and the same as a node.</summary>
internal sealed record CachedGraph(byte[] Bytes, string ETag, JsonObject Graph);

/// <summary>
/// The graphs of recently asked-for PipelineRuns (<see cref="RunGraph"/>), built once per stored run
/// object and served as the same bytes to every viewer until the run object changes. The pipeline
/// spec, read from the run's manifest, is kept with it: a 10,000-task manifest takes longer to read
/// than the graph takes to build. While a run runs its graph is also rebuilt once it is
/// <see cref="RunningMaxAge"/> old, so a long step's duration grows.
/// </summary>
internal sealed class RunGraphCache(TimeProvider time)
{
    /// <summary>Runs whose graph is kept; the least recently built goes first.</summary>
    public const int Capacity = 32;

    /// <summary>How long a running run's graph is served unchanged when its object did not change.</summary>
    public static readonly TimeSpan RunningMaxAge = TimeSpan.FromSeconds(2);

    private sealed class Entry
    {
        public required PipelineSpec? Spec { get; init; }
        public required SemaphoreSlim Building { get; init; }
        public CachedGraph? Graph { get; set; }
        public string? ObjectKey { get; set; }
        public DateTimeOffset BuiltAt { get; set; }
    }

    private readonly ConcurrentDictionary<string, Lazy<Entry>> _entries = new(StringComparer.Ordinal);

    /// <summary>The graph of <paramref name="run"/> as stored now; null when its manifest holds no readable pipeline.</summary>
    public async Task<CachedGraph?> GetAsync(RunRecord run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var entry = _entries.GetOrAdd(run.Uid, _ => new Lazy<Entry>(() => new Entry { Spec = RunManifest.Load(run).PipelineSpec, Building = new SemaphoreSlim(1, 1) })).Value;
        if (entry.Spec is not { } spec)
        {
            return null;
        }

        var key = KeyOf(run);
        if (Fresh(entry, run, key) is { } cached)
        {
            return cached;
        }

        // One build per change, however many viewers ask at once: the others wait for it.
        await entry.Building.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Fresh(entry, run, key) is { } built)
            {
                return built;
            }

            var now = time.GetUtcNow();
            var obj = run.Object is { } text ? JsonNode.Parse(text)?.AsObject() : null;
            var graph = RunGraph.Build(spec, obj, now);
            var bytes = System.Text.Encoding.UTF8.GetBytes(graph.ToJsonString());
            var result = new CachedGraph(bytes, $"\"{key}-{now.ToUnixTimeMilliseconds().ToString("x", CultureInfo.InvariantCulture)}\"", graph);
            entry.Graph = result;
            entry.ObjectKey = key;
            entry.BuiltAt = now;
            Trim();
            return result;
        }
        finally
        {
            entry.Building.Release();
        }
    }

    private CachedGraph? Fresh(Entry entry, RunRecord run, string key) =>
        entry.Graph is { } graph && entry.ObjectKey == key && (run.Phase == RunPhase.Finished || time.GetUtcNow() - entry.BuiltAt < RunningMaxAge) ? graph : null;

    /// <summary>What identifies a stored run object: phase, length and content hash (the same object gives the same key in this process).</summary>
    private static string KeyOf(RunRecord run) =>
        string.Create(CultureInfo.InvariantCulture, $"{run.Phase}-{run.Object?.Length ?? 0:x}-{(run.Object is { } o ? (uint)StringComparer.Ordinal.GetHashCode(o) : 0):x}");

    private void Trim()
    {
        if (_entries.Count <= Capacity)
        {
            return;
        }

        foreach (var (uid, _) in _entries.Where(e => e.Value.IsValueCreated).OrderBy(e => e.Value.Value.BuiltAt).Take(_entries.Count - Capacity).ToList())
        {
            _entries.TryRemove(uid, out _);
        }
    }
}
