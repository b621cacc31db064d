using Mothership.Engine.Execution;
using Mothership.Engine.Running;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Tests.Running;

public sealed class AttemptExecutionTests
{
    private static readonly TaskRunRequest Request = new() { TaskRunName = "tr", TaskRunUid = "u", Spec = new TaskSpec(), Resources = new ResourceSet() };

    private sealed class ThrowingExecutor : ITaskExecutor
    {
        public Task<TaskRunOutcome> RunAsync(TaskRunRequest request, ITaskRunListener listener, CancellationToken cancellationToken) =>
            throw new HttpRequestException("connection refused (api.cluster:6443)");
    }

    private sealed class NullListener : ITaskRunListener
    {
        public void OnLog(TaskRunRequest request, string container, string line)
        {
        }

        public void OnStep(TaskRunRequest request, StepState step)
        {
        }
    }

    private sealed class ClosedGate : IAttemptGate
    {
        public async ValueTask<IDisposable> AcquireAsync(TaskRunRequest request, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }

    [Fact(Timeout = 10_000)]
    public async Task RunAsync_ExecutorThrows_AttemptFailsWithTheReason()
    {
        var outcome = await AttemptExecution.RunAsync(new ThrowingExecutor(), Request, new NullListener(), null, TimeProvider.System, TestContext.Current.CancellationToken);

        Assert.Equal(TaskRunPhase.Failed, outcome.Phase);
        Assert.Equal("executor error: connection refused (api.cluster:6443)", outcome.Message);
    }

    [Fact(Timeout = 10_000)]
    public async Task RunAsync_CancelledWhileWaitingForASlot_NeverRuns()
    {
        using var cancel = new CancellationTokenSource();
        var waiting = AttemptExecution.RunAsync(new ThrowingExecutor(), Request, new NullListener(), new ClosedGate(), TimeProvider.System, cancel.Token);
        await cancel.CancelAsync();

        var outcome = await waiting;

        Assert.Equal(TaskRunPhase.Cancelled, outcome.Phase);
        Assert.Equal(AttemptMessages.CancelledBeforeStart, outcome.Message);
    }
}
