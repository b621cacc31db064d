using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using k8s.Models;

namespace Mothership.Testing.Kubernetes.Kubelet;

/// <summary>The node: one <see cref="PodWorker"/> per pod, and what the API and the faults ask of pods.</summary>
internal sealed class FakeKubelet(KubeletContext context) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, PodWorker> _workers = new(StringComparer.Ordinal);

    public KubeletContext Context => context;

    /// <summary>Takes up a pod just created.</summary>
    public void Admit(V1Pod pod)
    {
        var worker = new PodWorker(context, pod);
        _workers[pod.Uid()] = worker;
        worker.Start();
    }

    public PodWorker? Worker(string ns, string name) =>
        context.Store.Get(ResourceKind.Pods, ns, name) is { } pod && (string?)pod["metadata"]?["uid"] is { } uid
            ? _workers.GetValueOrDefault(uid)
            : null;

    /// <summary>
    /// Deletes a pod as the API server and kubelet do together: the object gets a deletionTimestamp
    /// at once; the kubelet stops the containers within the grace period and then the object goes.
    /// A pod whose containers have all ended goes at once. Returns the object as the response shows it.
    /// </summary>
    public JsonObject? Delete(string ns, string name, long? gracePeriodSeconds)
    {
        var current = context.Store.Get(ResourceKind.Pods, ns, name);
        if (current is null)
        {
            return null;
        }

        var uid = (string)current["metadata"]!["uid"]!;
        var grace = gracePeriodSeconds ?? (long?)current["spec"]?["terminationGracePeriodSeconds"] ?? 30;
        var marked = context.Store.Update(ResourceKind.Pods, ns, name, obj =>
        {
            var meta = KubeJson.Metadata(obj);
            if ((string?)meta["uid"] != uid || meta["deletionTimestamp"] is not null)
            {
                return false;
            }

            meta["deletionTimestamp"] = KubeJson.Time(context.Time.GetUtcNow().AddSeconds(grace));
            meta["deletionGracePeriodSeconds"] = grace;
            return true;
        }) ?? current;

        var worker = _workers.GetValueOrDefault(uid);
        if (worker is null || !worker.RequestStop(new StopRequest(StopKind.Deleted, TimeSpan.FromSeconds(grace))))
        {
            // Nothing runs any more (or the last of it is being stopped for another reason): the object goes once that is done.
            _ = DeleteAfterAsync(worker?.Completion ?? Task.CompletedTask, ns, name, uid);
        }

        return marked;
    }

    public bool Evict(string ns, string name) =>
        Worker(ns, name)?.RequestStop(new StopRequest(StopKind.Evicted, TimeSpan.Zero)) ?? false;

    /// <summary>The node the pod ran on disappears: its processes die and the object is garbage-collected.</summary>
    public async Task<bool> LoseAsync(string ns, string name)
    {
        var current = context.Store.Get(ResourceKind.Pods, ns, name);
        if (current is null)
        {
            return false;
        }

        var uid = (string)current["metadata"]!["uid"]!;
        if (_workers.GetValueOrDefault(uid) is { } worker)
        {
            if (!worker.RequestStop(new StopRequest(StopKind.NodeLost, TimeSpan.Zero)))
            {
                worker.KillAll();
            }

            await worker.Completion.ConfigureAwait(false);
        }

        // The worker deletes the object itself unless its lifecycle had already ended.
        context.Store.Delete(ResourceKind.Pods, ns, name, uid);
        return true;
    }

    public IReadOnlyList<(string Namespace, string Name)> Pods() =>
        context.Store.List(new ObjectFilter(ResourceKind.Pods, null)).Items
            .Select(p => (KubeJson.Namespace(p)!, KubeJson.Name(p)!))
            .ToList();

    public async ValueTask DisposeAsync()
    {
        foreach (var w in _workers.Values)
        {
            if (!w.RequestStop(new StopRequest(StopKind.Shutdown, TimeSpan.Zero)))
            {
                w.KillAll();
            }
        }

        await Task.WhenAll(_workers.Values.Select(w => w.Completion)).ConfigureAwait(false);
    }

    private async Task DeleteAfterAsync(Task completion, string ns, string name, string uid)
    {
        await completion.ConfigureAwait(false);
        context.Store.Delete(ResourceKind.Pods, ns, name, uid);
    }
}
