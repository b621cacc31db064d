using Mothership.Testing.Kubernetes;

namespace Mothership.Executors.Kubernetes.Tests;

/// <summary>
/// Tekton's conformance suite, TaskRun behaviours
/// (<see href="https://github.com/tektoncd/pipeline/blob/3ee1745ae5b2d9175b11917d7c1935eaad44910c/test/conformance/conformance_test.go">conformance_test.go</see>
/// at tektoncd/pipeline 3ee1745ae5b2d9175b11917d7c1935eaad44910c), run with <c>mship run
/// --executor kubernetes</c> against the fake API server: the same cases
/// (<see cref="TektonConformanceTaskRunCases"/>) the local executor answers in IntegrationTests.
/// </summary>
public sealed class TektonConformanceOnKubernetesTests : TektonConformanceTaskRunCases, IAsyncLifetime
{
    private FakeKubernetesApi _api = null!;

    /// <inheritdoc />
    protected override string[] ExecutorArgs => _api.MshipRunArgs();

    /// <inheritdoc />
    public async ValueTask InitializeAsync() =>
        _api = await FakeKubernetesApi.StartAsync(cancellationToken: TestContext.Current.CancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await _api.DisposeAsync();

    /// <summary>
    /// TestSidecarArgAndCommand: a sidecar's command and args write a shared volume that a step's
    /// command and args read; the TaskRun succeeds and its spec keeps the one sidecar. Here only:
    /// a pod's steps start once its sidecars run, as on Tekton, while the local executor may start
    /// the step first (TektonConformanceKnownDeviations in IntegrationTests).
    /// </summary>
    [Fact(Timeout = 120_000)]
    public async Task SidecarArgAndCommand_CommandAndArgs_TaskRunSucceeds()
    {
        var run = await TektonConformance.RunAsync(SidecarArgAndCommandYaml, expectSuccess: true, ExecutorArgs);

        Assert.Single(TektonConformance.Array(run["spec"]!["taskSpec"]!["sidecars"]));
        TektonConformance.AssertSucceededCondition(run, "True", "Succeeded");
    }
}
