using Mothership.Testing.Kubernetes.Kubelet;

namespace Mothership.Testing.Kubernetes;

/// <summary>How an injected request failure answers.</summary>
public enum RequestFault
{
    /// <summary>500 with a V1Status of reason InternalError.</summary>
    InternalError,

    /// <summary>429 with a V1Status of reason TooManyRequests and a Retry-After header.</summary>
    TooManyRequests,
}

/// <summary>Faults a test injects into a running <see cref="FakeKubernetesApi"/>.</summary>
public sealed class FakeApiFaults
{
    private readonly FaultRules<RecordedRequest, RequestFault> _rules = new();
    private readonly ObjectStore _store;
    private readonly FakeKubelet _kubelet;

    internal FakeApiFaults(ObjectStore store, FakeKubelet kubelet)
    {
        _store = store;
        _kubelet = kubelet;
    }

    /// <summary>
    /// Fails the next <paramref name="count"/> requests with <paramref name="method"/> (<c>*</c> for
    /// any) whose path matches <paramref name="pathPattern"/>, where <c>*</c> stands for one
    /// segment and a trailing <c>/**</c> for any rest (<c>/api/v1/namespaces/*/pods/**</c>).
    /// </summary>
    public void FailNext(int count, string method, string pathPattern, RequestFault fault = RequestFault.InternalError, TimeSpan? retryAfter = null) =>
        FailNext(count, r => (method == "*" || string.Equals(r.Method, method, StringComparison.OrdinalIgnoreCase)) && FaultRules<RecordedRequest, RequestFault>.PathMatches(pathPattern, r.Path), fault, retryAfter);

    /// <summary>Fails the next <paramref name="count"/> requests that <paramref name="match"/> accepts.</summary>
    public void FailNext(int count, Func<RecordedRequest, bool> match, RequestFault fault = RequestFault.InternalError, TimeSpan? retryAfter = null) =>
        _rules.Add(count, match, fault, retryAfter ?? TimeSpan.FromSeconds(1));

    /// <summary>Ends every watch stream open now; the clients see their streams end and must re-watch.</summary>
    public void DropWatches() => _store.DropWatches();

    /// <summary>Forgets the watch history: the next watch from any resourceVersion older than now gets a 410 Expired ERROR event.</summary>
    public void ExpireWatchWindow() => _store.ExpireHistory();

    /// <summary>Evicts a running pod: its processes are killed, phase Failed, reason Evicted. False when it has nothing running.</summary>
    public bool EvictPod(string name, string ns = "default") => _kubelet.Evict(ns, name);

    /// <summary>
    /// The node under a pod disappears: its processes are killed and the object is deleted (a
    /// DELETED watch event) without any final status. Returns once it is gone; false when there is no such pod.
    /// </summary>
    public Task<bool> LoseNodeOfPodAsync(string name, string ns = "default") => _kubelet.LoseAsync(ns, name);

    /// <summary>The one node disappears: every pod goes as in <see cref="LoseNodeOfPodAsync"/>.</summary>
    public async Task LoseNodeAsync()
    {
        foreach (var (ns, name) in _kubelet.Pods())
        {
            await _kubelet.LoseAsync(ns, name).ConfigureAwait(false);
        }
    }

    /// <summary>Kills a running container as the OOM killer does (exit 137, reason OOMKilled). False when it is not running.</summary>
    public bool OomKill(string pod, string container, string ns = "default") =>
        _kubelet.Worker(ns, pod)?.OomKill(container) ?? false;

    /// <summary>The fault to answer <paramref name="request"/> with, consuming one of its rule's count; null to serve it.</summary>
    internal (RequestFault Fault, TimeSpan RetryAfter)? Take(RecordedRequest request) => _rules.Take(request);
}
