using Mothership.Testing.Kubernetes;

namespace Mothership.Executors.Kubernetes.Tests;

/// <summary>
/// Tekton's conformance suite, PipelineRun behaviours
/// (<see href="https://github.com/tektoncd/pipeline/blob/3ee1745ae5b2d9175b11917d7c1935eaad44910c/test/conformance/conformance_test.go">conformance_test.go</see>
/// at tektoncd/pipeline 3ee1745ae5b2d9175b11917d7c1935eaad44910c), run with <c>mship run
/// --executor kubernetes</c> against the fake API server: the same cases
/// (<see cref="TektonConformancePipelineRunCases"/>) the local executor answers in IntegrationTests.
/// </summary>
public sealed class TektonConformancePipelineRunsOnKubernetesTests : TektonConformancePipelineRunCases, IAsyncLifetime
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
    /// TestPipelineWorkspace: three tasks share a volumeClaimTemplate workspace mounted at
    /// <c>/workspace/NAME</c>; the run succeeds and keeps the workspace in its spec and
    /// <c>status.pipelineSpec</c>. Here only: the local executor does not give that path yet
    /// (TektonConformanceKnownDeviations in IntegrationTests).
    /// </summary>
    [Fact(Timeout = 120_000)]
    public async Task PipelineWorkspace_SharedVolumeClaimTemplate_PathIsWorkspaceSlashName()
    {
        var run = await TektonConformance.RunAsync(PipelineWorkspaceYaml, expectSuccess: true, ExecutorArgs);

        TektonConformance.AssertSucceededCondition(run, "True", "Succeeded");
        Assert.Equal("custom-workspace", TektonConformance.Text(run["spec"]!["workspaces"]![0]!["name"]));
        Assert.Equal("custom-workspace", TektonConformance.Text(run["status"]!["pipelineSpec"]!["workspaces"]![0]!["name"]));
    }
}
