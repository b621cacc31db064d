namespace Mothership.Executors.Kubernetes;

/// <summary>Settings of the Kubernetes executor; every default is written here.</summary>
public sealed record KubernetesExecutorOptions
{
    /// <summary>Where TaskRun pods are created. Default <c>default</c>.</summary>
    public string Namespace { get; init; } = "default";

    /// <summary>
    /// A small image with a POSIX shell (<c>sh</c>, <c>printf</c>, <c>base64</c>) for the pod's own
    /// helpers: writing scripts before the steps, reporting results after them. Default busybox.
    /// </summary>
    public string ShellImage { get; init; } = "docker.io/library/busybox:1.36";

    /// <summary>
    /// The most bytes of results one TaskRun may return. Default 4096: Tekton's limit for results
    /// read back through a container's termination message, so what passes here passes on Tekton.
    /// </summary>
    public int MaxResultBytes { get; init; } = 4096;

    /// <summary>Delete a pod once its TaskRun attempt has ended and its logs and results are read. Default true.</summary>
    public bool DeleteFinishedPods { get; init; } = true;

    /// <summary>
    /// Requests per second this executor sends the API server (a token bucket: steady rate). Default
    /// 50: a thousand TaskRuns starting at once reach the server over seconds, not in one burst.
    /// </summary>
    public int Qps { get; init; } = 50;

    /// <summary>Requests that may go at once above <see cref="Qps"/> (the bucket's size). Default 100.</summary>
    public int Burst { get; init; } = 100;

    /// <summary>Time source for timeouts and backoff. Default the system clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
