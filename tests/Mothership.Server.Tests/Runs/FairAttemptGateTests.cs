using System.Collections.Immutable;
using Mothership.Engine.Execution;
using Mothership.Model.Tekton;
using Mothership.Server.Runs;

namespace Mothership.Server.Tests.Runs;

public sealed class FairAttemptGateTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static TaskRunRequest Request(string pipeline, int i) => new()
    {
        TaskRunName = $"{pipeline}-{i}",
        TaskRunUid = Guid.NewGuid().ToString(),
        Spec = new TaskSpec(),
        Resources = new ResourceSet { All = [] },
        Labels = ImmutableSortedDictionary<string, string>.Empty.Add("tekton.dev/pipeline", pipeline),
    };

    [Fact(Timeout = 10000)]
    public async Task AcquireAsync_OnePipelineFloods_OthersGetTurnsInRoundRobin()
    {
        var gate = new FairAttemptGate(1);
        var holder = await gate.AcquireAsync(Request("big", 0), Ct);
        var order = new List<string>();
        var waiters = new List<Task>();
        // "big" queues five attempts before "small" and "tiny" queue one each.
        foreach (var (pipeline, i) in new[] { ("big", 1), ("big", 2), ("big", 3), ("big", 4), ("big", 5), ("small", 1), ("tiny", 1) })
        {
            var request = Request(pipeline, i);
            waiters.Add(Task.Run(async () =>
            {
                using var slot = await gate.AcquireAsync(request, Ct);
                lock (order)
                {
                    order.Add(request.TaskRunName);
                }
            }, Ct));
            await WaitUntilAsync(() => gate.QueueDepth == waiters.Count);
        }

        holder.Dispose();
        await Task.WhenAll(waiters);

        Assert.Equal(["big-1", "small-1", "tiny-1", "big-2", "big-3", "big-4", "big-5"], order);
        Assert.Equal(0, gate.QueueDepth);
        Assert.Equal(0, gate.Running);
    }

    [Fact(Timeout = 10000)]
    public async Task AcquireAsync_CancelledWhileWaiting_LeavesTheQueueAndKeepsSlots()
    {
        var gate = new FairAttemptGate(1);
        var holder = await gate.AcquireAsync(Request("p", 0), Ct);
        using var cts = new CancellationTokenSource();
        var waiting = gate.AcquireAsync(Request("p", 1), cts.Token).AsTask();
        await WaitUntilAsync(() => gate.QueueDepth == 1);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(0, gate.QueueDepth);
        holder.Dispose();
        using var next = await gate.AcquireAsync(Request("q", 0), Ct);
        Assert.Equal(1, gate.Running);
    }

    [Fact(Timeout = 10000)]
    public async Task Dispose_Twice_ReleasesOneSlot()
    {
        var gate = new FairAttemptGate(2);
        var a = await gate.AcquireAsync(Request("p", 0), Ct);
        using var b = await gate.AcquireAsync(Request("p", 1), Ct);

        a.Dispose();
        a.Dispose();

        Assert.Equal(1, gate.Running);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        while (!condition())
        {
            await Task.Delay(5, Ct);
        }
    }
}
