using System.Collections.Concurrent;
using System.Collections.Immutable;
using Mothership.Engine.Execution;
using Mothership.Engine.Resolution;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;

namespace Mothership.Executors.Contract.Tests;

/// <summary>One executor under the contract: how it is made, and what it needs before an attempt runs.</summary>
public interface IExecutorHarness : IAsyncDisposable
{
    /// <summary>An executor whose results are limited by <paramref name="limit"/> (null: the executor's default).</summary>
    ITaskExecutor Executor(ResultLimit? limit = null);

    /// <summary>Makes the ConfigMaps and Secrets of <paramref name="resources"/> exist where the executor reads them.</summary>
    Task ProvideAsync(ResourceSet resources, CancellationToken cancellationToken);
}

/// <summary>Keeps every log line and step state an attempt reports.</summary>
public sealed class RecordingListener : ITaskRunListener
{
    private readonly ConcurrentQueue<(string Container, string Line)> _lines = new();

    /// <summary>Set once a line containing <see cref="WaitFor"/> was logged.</summary>
    public TaskCompletionSource Seen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string? WaitFor { get; init; }

    public void OnLog(TaskRunRequest request, string container, string line)
    {
        _lines.Enqueue((container, line));
        if (WaitFor is { } text && line.Contains(text, StringComparison.Ordinal))
        {
            Seen.TrySetResult();
        }
    }

    public void OnStep(TaskRunRequest request, StepState step)
    {
    }

    public ImmutableArray<string> Lines(string container) => [.. _lines.Where(l => l.Container == container).Select(l => l.Line)];
}

/// <summary>Requests for the contract's cases: the same YAML, name and settings for every executor.</summary>
public static class ContractRequests
{
    public const string TaskRunName = "contract-run";

    /// <summary>The request of the first Task in <paramref name="yaml"/>, resolved as the engine resolves a standalone TaskRun.</summary>
    public static (TaskRunRequest Request, ResourceSet Resources) Of(string yaml, TimeSpan? timeout = null, ImmutableArray<WorkspaceBinding> workspaces = default)
    {
        var bag = new DiagnosticBag();
        var resources = new ResourceSet { All = [.. ResourceLoader.Load("contract.yaml", yaml, bag)] };
        Assert.False(bag.HasErrors, string.Join("\n", bag.Items));
        var task = resources.Tasks.Single();
        var request = TaskRunBuilder.Build(new TaskRunInput
        {
            TaskRunName = TaskRunName,
            TaskRunUid = Guid.NewGuid().ToString(),
            TaskName = task.Metadata.Name,
            Spec = task.Spec,
            Workspaces = workspaces.IsDefault ? [] : workspaces,
            Timeout = timeout,
        }, resources);
        return (request with { GracePeriod = TimeSpan.FromSeconds(2) }, resources);
    }
}
