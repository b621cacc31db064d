using Mothership.Executors.Kubernetes.Tests.FakeApi;

namespace Mothership.Executors.Kubernetes.Tests;

/// <summary>
/// Tekton's examples that the local executor runs, run again with <c>mship run --executor
/// kubernetes</c> against the fake API server: one pod per TaskRun, each container a local process.
/// </summary>
public sealed class TektonExamplesOnKubernetesTests : IAsyncLifetime
{
    /// <summary>
    /// What only the local executor runs yet, each with the reason: the Kubernetes executor's known
    /// gaps, the next work on it (the other 101 of the 103 examples the local executor runs pass
    /// here, reliably).
    /// </summary>
    private static readonly Dictionary<string, string> Unsupported = new(StringComparer.Ordinal)
    {
        ["taskruns/step-by-digest.yaml"] = "busybox has no ENTRYPOINT: Tekton looks the image up in its registry and runs its CMD (sh) with the args; the pod leaves command empty, so Kubernetes runs the args themselves (\"-c\"), which fails on a real cluster as in the fake — needs a registry lookup of the image's config",
        ["taskruns/steps-run-in-order.yaml"] = "busybox has no ENTRYPOINT: Tekton looks the image up in its registry and runs its CMD (sh) with the args; the pod leaves command empty, so Kubernetes runs the args themselves (\"-c\"), which fails on a real cluster as in the fake — needs a registry lookup of the image's config",
    };

    /// <summary>
    /// Flags an example needs, as Tekton's own test of it sets feature flags: results over 4 KiB
    /// need results-from sidecar-logs.
    /// </summary>
    private static readonly Dictionary<string, string[]> Flags = new(StringComparer.Ordinal)
    {
        ["taskruns/beta/large-task-result.yaml"] = ["--results-from", "sidecar-logs"],
    };

    private FakeKubernetesApi _api = null!;

    public static TheoryData<string> Examples => TektonExamples.In("");

    public async ValueTask InitializeAsync() =>
        _api = await FakeKubernetesApi.StartAsync(cancellationToken: TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync() => await _api.DisposeAsync();

    [Theory(Timeout = 240_000)]
    [MemberData(nameof(Examples))]
    public Task Run_TektonExample_SucceedsAsPods(string example) =>
        TektonExamples.RunAsync(example, Unsupported, ["--executor", "kubernetes", "--kubeconfig", _api.KubeconfigPath, "--namespace", "default", .. Flags.GetValueOrDefault(example, [])]);
}
