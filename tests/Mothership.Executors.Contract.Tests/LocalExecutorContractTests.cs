namespace Mothership.Executors.Contract.Tests;

/// <summary>The contract on the local executor: processes on this machine.</summary>
public sealed class LocalExecutorContractTests : ExecutorContractTests, IAsyncLifetime
{
    private readonly LocalHarness _harness = new();

    protected override IExecutorHarness Harness => _harness;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _harness.DisposeAsync();
}

/// <summary>The contract on the local executor as <c>mship run</c> runs it: each step's end handled on the process event loop's thread.</summary>
public sealed class LocalExecutorOnEventThreadContractTests : ExecutorContractTests, IAsyncLifetime
{
    private readonly LocalHarness _harness = new(endStepsOnEventThread: true);

    protected override IExecutorHarness Harness => _harness;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _harness.DisposeAsync();
}
