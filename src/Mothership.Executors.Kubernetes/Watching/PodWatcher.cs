using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Mothership.Executors.Kubernetes.Watching;

/// <summary>
/// One list + watch of every pod this executor manages in a namespace, shared by all running
/// attempts (an informer): a thousand TaskRuns cost one watch, not a thousand polls. It lists to
/// learn the state and a resourceVersion, then watches from there with bookmarks; when the watch
/// ends it resumes from the last version seen, and when the server answers 410 Gone (the version
/// fell out of its window) it lists again — a pod that vanished meanwhile is reported deleted.
/// Each subscriber gets the latest state of its pod through a one-slot channel that keeps only the
/// newest update: a de-duplicating queue per pod, so a slow reader skips states, never piles them up.
/// </summary>
public sealed class PodWatcher : IAsyncDisposable
{
    private readonly IKubernetes _client;
    private readonly string _namespace;
    private readonly string _selector;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Channel<PodUpdate>> _subscribers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, V1Pod> _known = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;
    private string? _resourceVersion;

    public PodWatcher(IKubernetes client, string @namespace, string labelSelector, TimeProvider time)
    {
        _client = client;
        _namespace = @namespace;
        _selector = labelSelector;
        _time = time;
    }

    /// <summary>How many lists (the first, and each after a 410) and watches were started: for tests and metrics.</summary>
    public int Lists { get; private set; }

    public int Watches { get; private set; }

    /// <summary>Starts the loop once; completes when the first list has been read.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_subscribers)
        {
            _loop ??= Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
        }

        return _synced.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Follows pod <paramref name="name"/>; subscribe before creating the pod so that no update is missed.</summary>
    public PodSubscription Subscribe(string name)
    {
        var channel = Channel.CreateBounded<PodUpdate>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        _subscribers[name] = channel;
        if (_known.TryGetValue(name, out var pod))
        {
            channel.Writer.TryWrite(new PodUpdate(pod, Deleted: false));
        }

        return new PodSubscription(name, channel.Reader, () => _subscribers.TryRemove(KeyValuePair.Create(name, channel)));
    }

    private void Publish(string name, PodUpdate update)
    {
        if (_subscribers.TryGetValue(name, out var channel))
        {
            channel.Writer.TryWrite(update);
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (_resourceVersion is null)
                {
                    await ListAsync(cancellationToken).ConfigureAwait(false);
                }

                await WatchAsync(cancellationToken).ConfigureAwait(false);
                failures = 0;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is KubernetesWatchGoneException || (e is HttpOperationException h && h.Response.StatusCode == HttpStatusCode.Gone))
            {
                _resourceVersion = null;
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException or KubernetesException)
            {
                // The API server is unwell (500, 429, a dropped connection): back off, then resume
                // from the last version seen. Capped, so a long outage retries every 10 s.
                failures++;
                var delay = TimeSpan.FromMilliseconds(Math.Min(10_000, 100 * Math.Pow(2, Math.Min(failures, 7))));
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task ListAsync(CancellationToken cancellationToken)
    {
        Lists++;
        var list = await _client.CoreV1.ListNamespacedPodAsync(_namespace, labelSelector: _selector, cancellationToken: cancellationToken).ConfigureAwait(false);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pod in list.Items)
        {
            seen.Add(pod.Metadata.Name);
            _known[pod.Metadata.Name] = pod;
            Publish(pod.Metadata.Name, new PodUpdate(pod, Deleted: false));
        }

        // Gone while we were not watching (deleted, or its node lost and the pod collected).
        foreach (var name in _known.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            if (_known.TryRemove(name, out var pod))
            {
                Publish(name, new PodUpdate(pod, Deleted: true));
            }
        }

        // A subscriber whose pod was never seen may be about to create it: nothing to say to it.
        _resourceVersion = list.Metadata.ResourceVersion;
        _synced.TrySetResult();
    }

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        Watches++;
        Exception? failure = null;
        var events = _client.CoreV1.WatchListNamespacedPodAsync(
            _namespace,
            allowWatchBookmarks: true,
            labelSelector: _selector,
            resourceVersion: _resourceVersion,
            timeoutSeconds: 300,
            onError: e => failure = e,
            cancellationToken: cancellationToken);
        await foreach (var (type, pod) in events.ConfigureAwait(false))
        {
            if (pod?.Metadata?.ResourceVersion is { } version)
            {
                _resourceVersion = version;
            }

            switch (type)
            {
                case WatchEventType.Added or WatchEventType.Modified:
                    _known[pod!.Metadata.Name] = pod;
                    Publish(pod.Metadata.Name, new PodUpdate(pod, Deleted: false));
                    break;
                case WatchEventType.Deleted:
                    _known.TryRemove(pod!.Metadata.Name, out _);
                    Publish(pod.Metadata.Name, new PodUpdate(pod, Deleted: true));
                    break;
            }

            if (failure is not null)
            {
                break;
            }
        }

        // The client reports an ERROR event (a Status object) through the callback.
        if (failure is KubernetesException { Status.Code: 410 } || failure is HttpOperationException { Response.StatusCode: HttpStatusCode.Gone })
        {
            throw new KubernetesWatchGoneException();
        }

        if (failure is not null)
        {
            throw failure;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping is what was asked.
            }
        }

        _stop.Dispose();
    }

    /// <summary>The server said 410 Gone: the watch must start again from a fresh list.</summary>
    private sealed class KubernetesWatchGoneException : Exception;
}

/// <summary>A pod's newest state; <paramref name="Deleted"/> when it is gone from the API.</summary>
public sealed record PodUpdate(V1Pod Pod, bool Deleted);

/// <summary>One attempt's view of its pod: the newest update, waiting when there is none.</summary>
public sealed class PodSubscription(string name, ChannelReader<PodUpdate> updates, Action unsubscribe) : IDisposable
{
    public string Name { get; } = name;

    public ValueTask<PodUpdate> NextAsync(CancellationToken cancellationToken) => updates.ReadAsync(cancellationToken);

    /// <summary>The newest update not read yet, if any, without waiting.</summary>
    public bool TryNext(out PodUpdate update) => updates.TryRead(out update!);

    public void Dispose() => unsubscribe();
}
