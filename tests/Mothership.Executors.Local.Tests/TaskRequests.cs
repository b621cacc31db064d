using Mothership.Engine.Execution;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;

namespace Mothership.Executors.Local.Tests;

/// <summary>Requests and specs built from YAML, as the engine hands them to the executor.</summary>
internal static class TaskRequests
{
    /// <summary>
    /// The first Task of <paramref name="yaml"/> as a request; the ConfigMaps and Secrets of the
    /// same documents become its resources.
    /// </summary>
    public static TaskRunRequest Request(string yaml, string name = "tr", string uid = "uid-1", string? pipelineRunUid = null, int retry = 0)
    {
        var bag = new DiagnosticBag();
        var resources = ResourceLoader.Load("t.yaml", yaml, bag);
        Assert.False(bag.HasErrors, string.Join("\n", bag.Items));
        return new TaskRunRequest
        {
            TaskRunName = name,
            TaskRunUid = uid,
            PipelineRunUid = pipelineRunUid,
            RetryCount = retry,
            Spec = resources.OfType<TektonTask>().First().Spec,
            Resources = new ResourceSet { All = [.. resources] },
        };
    }

    /// <summary>The spec of a Task whose <c>spec:</c> body is <paramref name="specBody"/> (indented two spaces).</summary>
    public static TaskSpec Spec(string specBody) =>
        Request("apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: t}\nspec:\n" + specBody).Spec;
}

/// <summary>A fresh directory under the system's temp folder, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mship-local-tests-");

    public string Path => _dir.FullName;

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose() => _dir.Delete(recursive: true);
}
