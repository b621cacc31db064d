using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Mothership.Testing.Kubernetes;

/// <summary>One change to an object, as a watch sends it. <see cref="Object"/> is never mutated once published.</summary>
internal sealed record StoredEvent(long ResourceVersion, string Type, ResourceKind Kind, JsonObject Object)
{
    private string? _line;

    /// <summary>The watch line, <c>{"type":…,"object":…}</c>, serialized once for every watcher.</summary>
    public string Line => _line ??= KubeJson.Write(new JsonObject
    {
        ["type"] = Type,
        ["object"] = Object.DeepClone(),
    });
}

/// <summary>What a watch receives: events in resourceVersion order, and bookmarks between them.</summary>
internal abstract record WatchItem
{
    public sealed record Change(StoredEvent Event) : WatchItem;

    /// <param name="ResourceVersion">The store's version when the bookmark was queued.</param>
    /// <param name="InitialEventsEnd">Marks the end of the initial ADDED events of a <c>sendInitialEvents</c> watch.</param>
    public sealed record Bookmark(long ResourceVersion, bool InitialEventsEnd = false) : WatchItem;
}

/// <summary>A registered watch: its filter and the channel the store writes to under its lock, so order is kept.</summary>
internal sealed class WatchSubscription(ObjectFilter filter, bool droppable) : IDisposable
{
    private readonly Channel<WatchItem> _channel = Channel.CreateUnbounded<WatchItem>(new UnboundedChannelOptions { SingleReader = true });

    internal ObjectFilter Filter => filter;

    internal bool Droppable => droppable;

    internal Action<WatchSubscription>? OnDispose { get; set; }

    public ChannelReader<WatchItem> Reader => _channel.Reader;

    internal void Publish(WatchItem item) => _channel.Writer.TryWrite(item);

    internal void Close() => _channel.Writer.TryComplete();

    public void Dispose()
    {
        Close();
        OnDispose?.Invoke(this);
    }
}

/// <summary>The outcome of starting a watch: the events to replay first, or 410 when they are no longer kept.</summary>
internal sealed record WatchStart(WatchSubscription? Subscription, IReadOnlyList<StoredEvent> Replay, long TooOld, long Oldest);

/// <summary>
/// The fake's etcd: objects by kind, namespace and name, one global resourceVersion counter, and a
/// bounded history of changes that watches replay from. Every write happens under one lock and
/// is published to the watches under that lock, so each watch sees changes in resourceVersion order.
/// </summary>
internal sealed class ObjectStore(TimeProvider time, int historyLimit)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Plural, string Namespace, string Name), JsonObject> _objects = [];
    private readonly LinkedList<StoredEvent> _history = new();
    private readonly List<WatchSubscription> _watches = [];
    private long _version = 1000;

    // Watches may resume from any resourceVersion >= _horizon: every change after it is in _history.
    private long _horizon = 1000;

    public long CurrentVersion
    {
        get
        {
            lock (_gate)
            {
                return _version;
            }
        }
    }

    public JsonObject? Get(ResourceKind kind, string ns, string name)
    {
        lock (_gate)
        {
            return _objects.TryGetValue((kind.Plural, ns, name), out var obj) ? KubeJson.Clone(obj) : null;
        }
    }

    public (IReadOnlyList<JsonObject> Items, long Version) List(ObjectFilter filter)
    {
        lock (_gate)
        {
            var items = _objects
                .Where(e => e.Key.Plural == filter.Kind.Plural && filter.Matches(filter.Kind, e.Value))
                .OrderBy(e => e.Key.Namespace, StringComparer.Ordinal)
                .ThenBy(e => e.Key.Name, StringComparer.Ordinal)
                .Select(e => KubeJson.Clone(e.Value))
                .ToList();
            return (items, _version);
        }
    }

    /// <summary>Whether a list or watch at <paramref name="version"/> can still be served from history.</summary>
    public bool IsExpired(long version)
    {
        lock (_gate)
        {
            return version < _horizon;
        }
    }

    /// <summary>Stores a new object with a fresh resourceVersion; null when the name is taken.</summary>
    public JsonObject? Create(ResourceKind kind, JsonObject obj)
    {
        var ns = KubeJson.Namespace(obj) ?? throw new ArgumentException("object has no namespace", nameof(obj));
        var name = KubeJson.Name(obj) ?? throw new ArgumentException("object has no name", nameof(obj));
        lock (_gate)
        {
            if (_objects.ContainsKey((kind.Plural, ns, name)))
            {
                return null;
            }

            var stored = KubeJson.Clone(obj);
            var meta = KubeJson.Metadata(stored);
            meta["uid"] ??= Guid.NewGuid().ToString();
            meta["creationTimestamp"] ??= KubeJson.Time(time.GetUtcNow());
            Commit(kind, ns, name, stored, "ADDED");
            return KubeJson.Clone(stored);
        }
    }

    /// <summary>
    /// Changes an object in place under the lock: <paramref name="mutate"/> gets a copy and returns
    /// whether it changed anything. Returns the object as stored after the change (or unchanged), or
    /// null when it does not exist.
    /// </summary>
    public JsonObject? Update(ResourceKind kind, string ns, string name, Func<JsonObject, bool> mutate)
    {
        lock (_gate)
        {
            if (!_objects.TryGetValue((kind.Plural, ns, name), out var current))
            {
                return null;
            }

            var copy = KubeJson.Clone(current);
            if (!mutate(copy))
            {
                return KubeJson.Clone(current);
            }

            Commit(kind, ns, name, copy, "MODIFIED");
            return KubeJson.Clone(copy);
        }
    }

    /// <summary>Removes an object; the DELETED event carries its last state with a new resourceVersion, as the real server sends it.</summary>
    public JsonObject? Delete(ResourceKind kind, string ns, string name, string? uid = null)
    {
        lock (_gate)
        {
            // With a uid, only that incarnation goes: a pod recreated under the same name stays.
            if (!_objects.TryGetValue((kind.Plural, ns, name), out var current) ||
                (uid is not null && (string?)current["metadata"]?["uid"] != uid))
            {
                return null;
            }

            _objects.Remove((kind.Plural, ns, name));

            var last = KubeJson.Clone(current);
            var version = ++_version;
            KubeJson.Metadata(last)["resourceVersion"] = version.ToString(CultureInfo.InvariantCulture);
            Publish(new StoredEvent(version, "DELETED", kind, last));
            return KubeJson.Clone(last);
        }
    }

    /// <summary>
    /// Registers a watch. With <paramref name="fromVersion"/> null it starts with a synthetic
    /// ADDED per existing object (what the server does for a watch without resourceVersion or with
    /// "0"); otherwise it replays the kept changes after that version, or reports it too old.
    /// </summary>
    public WatchStart Watch(ObjectFilter filter, long? fromVersion, bool droppable)
    {
        lock (_gate)
        {
            List<StoredEvent> replay;
            if (fromVersion is not { } from)
            {
                replay = _objects
                    .Where(e => e.Key.Plural == filter.Kind.Plural && filter.Matches(filter.Kind, e.Value))
                    .Select(e => new StoredEvent(VersionOf(e.Value), "ADDED", filter.Kind, e.Value))
                    .OrderBy(e => e.ResourceVersion)
                    .ToList();
            }
            else if (from < _horizon)
            {
                return new WatchStart(null, [], from, _horizon);
            }
            else
            {
                replay = _history.Where(e => e.ResourceVersion > from && filter.Matches(e.Kind, e.Object)).ToList();
            }

            var subscription = new WatchSubscription(filter, droppable) { OnDispose = Unsubscribe };
            _watches.Add(subscription);
            return new WatchStart(subscription, replay, 0, _horizon);
        }
    }

    /// <summary>Queues a bookmark at the current version behind everything already queued for the watch.</summary>
    public void Bookmark(WatchSubscription subscription, bool initialEventsEnd = false)
    {
        lock (_gate)
        {
            subscription.Publish(new WatchItem.Bookmark(_version, initialEventsEnd));
        }
    }

    /// <summary>Forgets every kept change: a watch from any older resourceVersion now gets 410.</summary>
    public void ExpireHistory()
    {
        lock (_gate)
        {
            _history.Clear();
            _horizon = _version;
        }
    }

    /// <summary>Ends every watch opened through the API (the clients see their streams end); with <paramref name="all"/>, the fake's own too.</summary>
    public void DropWatches(bool all = false)
    {
        lock (_gate)
        {
            foreach (var w in _watches.Where(w => all || w.Droppable))
            {
                w.Close();
            }
        }
    }

    private void Unsubscribe(WatchSubscription subscription)
    {
        lock (_gate)
        {
            _watches.Remove(subscription);
        }
    }

    private void Commit(ResourceKind kind, string ns, string name, JsonObject stored, string type)
    {
        var version = ++_version;
        KubeJson.Metadata(stored)["resourceVersion"] = version.ToString(CultureInfo.InvariantCulture);
        stored["kind"] = kind.Kind;
        stored["apiVersion"] = kind.ApiVersion;
        _objects[(kind.Plural, ns, name)] = stored;
        Publish(new StoredEvent(version, type, kind, KubeJson.Clone(stored)));
    }

    private void Publish(StoredEvent e)
    {
        _history.AddLast(e);
        while (_history.Count > historyLimit)
        {
            _horizon = _history.First!.Value.ResourceVersion;
            _history.RemoveFirst();
        }

        foreach (var w in _watches)
        {
            if (w.Filter.Matches(e.Kind, e.Object))
            {
                w.Publish(new WatchItem.Change(e));
            }
        }
    }

    private static long VersionOf(JsonObject obj) =>
        long.TryParse((string?)obj["metadata"]?["resourceVersion"], CultureInfo.InvariantCulture, out var v) ? v : 0;
}
