namespace Mothership.Executors.Contract.Tests;

/// <summary>The contract on the Kubernetes executor: one pod per attempt, on the fake API server.</summary>
public sealed class KubernetesExecutorContractTests : ExecutorContractTests, IAsyncLifetime
{
    private readonly KubernetesHarness _harness = new();

    protected override IExecutorHarness Harness => _harness;

    public async ValueTask InitializeAsync() => await _harness.StartAsync(Ct);

    public ValueTask DisposeAsync() => _harness.DisposeAsync();
}
