using Mothership.Testing.Kubernetes;

namespace Mothership.Executors.Kubernetes.Tests;

/// <summary>
/// Tekton's examples that the local executor runs, run again with <c>mship run --executor
/// kubernetes</c> against the fake API server: one pod per TaskRun, each container a local process.
/// </summary>
public sealed class TektonExamplesOnKubernetesTests : IAsyncLifetime
{
    /// <summary>
    /// What only the local executor runs yet, each with the reason (none now: all 103 examples the
    /// local executor runs pass here, reliably).
    /// </summary>
    private static readonly Dictionary<string, string> Unsupported = new(StringComparer.Ordinal)
    {
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
        TektonExamples.RunAsync(example, Unsupported, alsoV1Beta1: false,
        [.. _api.MshipRunArgs(), .. Flags.GetValueOrDefault(example, [])]);
}
