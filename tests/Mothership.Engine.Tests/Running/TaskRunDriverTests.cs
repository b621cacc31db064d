using System.Collections.Concurrent;
using Mothership.Engine.Execution;
using Mothership.Engine.Preparation;
using Mothership.Engine.Running;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Tests.Running;

public sealed class TaskRunDriverTests
{
    /// <summary>Fails, times out or throws as scripted, one entry per attempt.</summary>
    private sealed class ScriptedExecutor(params Func<TaskRunRequest, TaskRunOutcome>[] attempts) : ITaskExecutor
    {
        public ConcurrentQueue<TaskRunRequest> Requests { get; } = new();

        public Task<TaskRunOutcome> RunAsync(TaskRunRequest request, ITaskRunListener listener, CancellationToken cancellationToken)
        {
            Requests.Enqueue(request);
            return Task.FromResult(attempts[request.RetryCount](request));
        }
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

    private static TaskRunOutcome Ended(TaskRunPhase phase, string message = "") =>
        new() { Phase = phase, Message = message, StartTime = DateTimeOffset.UnixEpoch, CompletionTime = DateTimeOffset.UnixEpoch };

    private static PreparedTaskRun Prepare(string spec)
    {
        var bag = new DiagnosticBag();
        var resources = new ResourceSet { All = [.. ResourceLoader.Load("tr.yaml", "apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {name: tr}\nspec:\n" + spec, bag)] };
        Assert.False(bag.HasErrors, string.Join("\n", bag.Items));
        return RunPreparation.Prepare(resources.TaskRuns.Single(), resources);
    }

    [Fact(Timeout = 10_000)]
    public async Task RunAsync_FailedThenTimedOut_RetriedAsAPipelineTaskIsWithItsTimeout()
    {
        var executor = new ScriptedExecutor(_ => Ended(TaskRunPhase.Failed), _ => Ended(TaskRunPhase.TimedOut), _ => Ended(TaskRunPhase.Succeeded));
        var retries = new List<int>();

        var result = await new TaskRunDriver(executor, new NullListener(), new TaskRunDriverOptions
        {
            OnAttemptEnded = (retry, _) =>
            {
                retries.Add(retry);
                return ValueTask.CompletedTask;
            },
        }).RunAsync(Prepare("  retries: 2\n  timeout: 30s\n  taskSpec:\n    steps: [{image: i, script: x}]\n"), "uid", TestContext.Current.CancellationToken);

        Assert.Equal([TaskRunPhase.Failed, TaskRunPhase.TimedOut, TaskRunPhase.Succeeded], result.Attempts.Select(a => a.Phase));
        Assert.Equal([0, 1, 2], retries);
        Assert.All(executor.Requests, r => Assert.Equal(TimeSpan.FromSeconds(30), r.Timeout));
    }

    [Fact(Timeout = 10_000)]
    public async Task RunAsync_UnknownStepAction_FailsItsAttemptWithoutRetries()
    {
        var executor = new ScriptedExecutor();

        var result = await new TaskRunDriver(executor, new NullListener())
            .RunAsync(Prepare("  retries: 3\n  taskSpec:\n    steps: [{name: s, ref: {name: missing}}]\n"), "uid", TestContext.Current.CancellationToken);

        var attempt = Assert.Single(result.Attempts);
        Assert.Equal(TaskRunPhase.Failed, attempt.Phase);
        Assert.Contains("StepAction 'missing'", attempt.Message, StringComparison.Ordinal);
        Assert.Empty(executor.Requests);
    }

    private sealed class ThrowingExecutor : ITaskExecutor
    {
        public int Calls { get; private set; }

        public Task<TaskRunOutcome> RunAsync(TaskRunRequest request, ITaskRunListener listener, CancellationToken cancellationToken)
        {
            Calls++;
            throw new HttpRequestException("the cluster's API answered 503");
        }
    }

    [Fact(Timeout = 10_000)]
    public async Task RunAsync_ExecutorThrows_EachAttemptFailsWithTheReasonAndIsRetried()
    {
        var executor = new ThrowingExecutor();

        var result = await new TaskRunDriver(executor, new NullListener())
            .RunAsync(Prepare("  retries: 1\n  taskSpec:\n    steps: [{image: i, script: x}]\n"), "uid", TestContext.Current.CancellationToken);

        Assert.Equal(2, executor.Calls);
        Assert.All(result.Attempts, a => Assert.Equal((TaskRunPhase.Failed, "executor error: the cluster's API answered 503"), (a.Phase, a.Message)));
    }
}
