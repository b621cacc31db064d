using System.Collections.Concurrent;
using System.Collections.Immutable;
using Mothership.Engine.Execution;
using Mothership.Executors.Local;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;

namespace Mothership.IntegrationTests.Executors;

/// <summary>A temporary root, YAML-built requests and a listener that records everything.</summary>
public sealed class ExecutorFixture : IDisposable
{
    public ExecutorFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "mship-exec-" + Guid.NewGuid().ToString("N"), "runs");
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public RecordingListener Listener { get; } = new();

    public LocalTaskExecutor Executor(bool sandbox = false) => new(new LocalExecutorOptions { Root = Root, Sandbox = sandbox });

    /// <summary>Loads YAML documents: the first Task's spec becomes the request; ConfigMaps and Secrets its resources.</summary>
    public static TaskRunRequest Request(string yaml, string name = "tr", string? uid = null)
    {
        var bag = new DiagnosticBag();
        var resources = ResourceLoader.Load("t.yaml", yaml, bag);
        Assert.False(bag.HasErrors, string.Join("\n", bag.Items));
        return new TaskRunRequest
        {
            TaskRunName = name,
            TaskRunUid = uid ?? Guid.NewGuid().ToString(),
            Spec = resources.OfType<TektonTask>().First().Spec,
            Resources = new ResourceSet { All = [.. resources] },
            GracePeriod = TimeSpan.FromSeconds(2),
        };
    }

    public static WorkspaceBinding Binding(string name, VolumeSource source, string? subPath = null) =>
        new() { Name = name, Source = source, SubPath = subPath };

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path.GetDirectoryName(Root)!, recursive: true);
        }
        catch (IOException)
        {
            // A directory a test left behind in /tmp is harmless.
        }
    }
}

/// <summary>Keeps every log line and step state.</summary>
public sealed class RecordingListener : ITaskRunListener
{
    public ConcurrentQueue<(string Container, string Line)> Lines { get; } = new();

    public ConcurrentQueue<StepState> Steps { get; } = new();

    public void OnLog(TaskRunRequest request, string container, string line) => Lines.Enqueue((container, line));

    public void OnStep(TaskRunRequest request, StepState step) => Steps.Enqueue(step);

    public ImmutableArray<string> LinesOf(string container) => [.. Lines.Where(l => l.Container == container).Select(l => l.Line)];
}
