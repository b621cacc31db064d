namespace Mothership.Testing.Kubernetes;

/// <summary>How a <see cref="FakeKubernetesApi"/> behaves; every default suits a fast test.</summary>
public sealed record FakeKubernetesApiOptions
{
    /// <summary>The clock for timestamps, bookmarks, grace periods and deadlines. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>How long a new pod stays unscheduled (phase Pending, no node) before the kubelet takes it. Default: zero.</summary>
    public TimeSpan SchedulingDelay { get; init; } = TimeSpan.Zero;

    /// <summary>How often a watch that asked for bookmarks gets one. Default: 1 second (the real API server: about a minute).</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How many watch events the server keeps for watches that resume from a resourceVersion; a
    /// resourceVersion older than the oldest kept event gets 410 Expired. Default: 1000.
    /// </summary>
    public int WatchHistoryLimit { get; init; } = 1000;

    /// <summary>
    /// How often the kubelet retries what it cannot do yet: a container whose env names a
    /// ConfigMap or Secret not yet created, a pod whose PVC does not exist. Default: 200 ms.
    /// </summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// How long after a native sidecar without a startupProbe was started the next init container
    /// starts: the real kubelet notices a started container at its next relist (the generic PLEG
    /// relists every second) and starts the next one at the pod sync that follows; the fake waits the
    /// whole period, the worst case. Default: 1 second.
    /// </summary>
    public TimeSpan RelistPeriod { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Where pods' volumes, PVCs and the kubeconfig live; null for a fresh temporary directory deleted on dispose. Default: null.</summary>
    public string? WorkDirectory { get; init; }

    /// <summary>The bubblewrap binary containers run under. Default: <c>/usr/bin/bwrap</c>.</summary>
    public string BubblewrapPath { get; init; } = "/usr/bin/bwrap";

    /// <summary>The one node pods are scheduled to. Default: <c>fake-node</c>.</summary>
    public string NodeName { get; init; } = "fake-node";

    /// <summary>The namespace of the kubeconfig's context. Default: <c>default</c>.</summary>
    public string Namespace { get; init; } = "default";

    /// <summary>The bearer token the kubeconfig carries; requests without it get 401. Default: <c>fake-token</c>.</summary>
    public string Token { get; init; } = "fake-token";
}
