using Mothership.Engine.Execution;

namespace Mothership.Executors.Kubernetes;

/// <summary>Tekton's <c>results-from</c>: how results are read back, hence how large they may be.</summary>
public enum ResultsFrom
{
    /// <summary><c>termination-message</c>: all results of a TaskRun together at most 4 KiB.</summary>
    TerminationMessage,

    /// <summary><c>sidecar-logs</c>: each result at most <see cref="KubernetesExecutorOptions.MaxResultSize"/>.</summary>
    SidecarLogs,
}

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
    /// Which of Tekton's result limits applies (its <c>results-from</c> feature flag). The pod
    /// always reports results through the <c>report-results</c> container's log — the mechanism
    /// of Tekton's sidecar-logs mode — so this only chooses the limit, to match the Tekton a
    /// pipeline is meant for. Default <see cref="ResultsFrom.TerminationMessage"/>, Tekton's default.
    /// </summary>
    public ResultsFrom ResultsFrom { get; init; } = ResultsFrom.TerminationMessage;

    /// <summary>
    /// With <see cref="ResultsFrom.TerminationMessage"/>: the most bytes of results one TaskRun may
    /// return, all results together. Default 4096, a container's termination-message limit.
    /// </summary>
    public int MaxResultBytes { get; init; } = 4096;

    /// <summary>
    /// With <see cref="ResultsFrom.SidecarLogs"/>: the most bytes of one result (Tekton's
    /// <c>max-result-size</c>). Default 4096; Tekton accepts up to 1.5 MiB (<see cref="MaxResultSizeLimit"/>).
    /// </summary>
    public int MaxResultSize { get; init; } = 4096;

    /// <summary>The limit on a TaskRun's results that <see cref="ResultsFrom"/> and its size settings make.</summary>
    public ResultLimit ResultLimit => ResultsFrom == ResultsFrom.SidecarLogs ? ResultLimit.PerResult(MaxResultSize) : ResultLimit.Total(MaxResultBytes);

    /// <summary>The highest <see cref="MaxResultSize"/> Tekton accepts: 1.5 MiB.</summary>
    public const int MaxResultSizeLimit = 1536 * 1024;

    /// <summary>
    /// <c>HOST=URL</c> flags as <see cref="Registries"/>; null with <paramref name="error"/> naming
    /// the first that is not a registry host and an absolute http(s) URL.
    /// </summary>
    public static IReadOnlyDictionary<string, Uri>? ParseRegistries(IEnumerable<string> flags, out string? error)
    {
        ArgumentNullException.ThrowIfNull(flags);
        error = null;
        var result = new Dictionary<string, Uri>(StringComparer.Ordinal);
        foreach (var flag in flags)
        {
            var eq = flag.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !Uri.TryCreate(flag[(eq + 1)..], UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                error = $"'{flag}' is not HOST=URL (a registry host, an http or https URL: docker.io=https://mirror.example.org)";
                return null;
            }

            result[flag[..eq]] = url;
        }

        return result;
    }

    /// <summary>Tekton's spelling of <see cref="ResultsFrom"/> (<c>termination-message</c>, <c>sidecar-logs</c>); null for anything else.</summary>
    public static ResultsFrom? ParseResultsFrom(string? text) => text switch
    {
        "termination-message" => Kubernetes.ResultsFrom.TerminationMessage,
        "sidecar-logs" => Kubernetes.ResultsFrom.SidecarLogs,
        _ => null,
    };

    /// <summary>
    /// The name of this Mothership among those sharing a namespace, on everything it creates
    /// (<c>app.kubernetes.io/instance</c>): a server sweeps leftovers of runs its store does not
    /// hold, so two servers with different stores, or a server and <c>mship run</c>, must differ.
    /// Default <c>mothership</c>; <c>mship run</c> uses <c>mship-run</c>.
    /// </summary>
    public string Instance { get; init; } = "mothership";

    /// <summary>
    /// Registry hosts mapped to where their API answers (a mirror, or a plain-http registry):
    /// <c>docker.io</c> → <c>https://mirror.example.org</c>. Others are asked at
    /// <c>https://HOST</c> (Docker Hub at <c>registry-1.docker.io</c>). Used to read the config of
    /// an image whose step has no <c>command</c>. Default none.
    /// </summary>
    public IReadOnlyDictionary<string, Uri> Registries { get; init; } = new Dictionary<string, Uri>(StringComparer.Ordinal);

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
