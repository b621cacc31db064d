namespace Mothership.Engine.Execution;

/// <summary>
/// Where one attempt's steps find Tekton's own directories: <c>/tekton/results</c>,
/// <c>/tekton/steps</c> and <c>/tekton/creds</c> in a pod or a bubblewrap layout (<see cref="Tekton"/>),
/// host directories of the attempt otherwise. The files inside are named by
/// <see cref="AttemptVariables"/> alone, so every executor lays them out the same way.
/// </summary>
public sealed record AttemptPaths(string Results, string Steps, string Credentials)
{
    /// <summary>Tekton's own layout, as a pod (and a step under bubblewrap) sees it.</summary>
    public static AttemptPaths Tekton { get; } = new("/tekton/results", "/tekton/steps", "/tekton/creds");

    /// <summary>The file a task result is written to: <c>$(results.NAME.path)</c>.</summary>
    public string Result(string name) => $"{Results}/{name}";

    /// <summary>A step container's own folder, <c>/tekton/steps/step-NAME</c>: its exit code and step results.</summary>
    public string StepFolder(string container) => $"{Steps}/{container}";

    /// <summary><c>$(steps.step-NAME.exitCode.path)</c>: where a step's exit code is kept.</summary>
    public string ExitCode(string container) => $"{StepFolder(container)}/exitCode";

    /// <summary>The folder of a step's results.</summary>
    public string StepResults(string container) => $"{StepFolder(container)}/results";

    /// <summary><c>$(step.results.NAME.path)</c> of the step in <paramref name="container"/>.</summary>
    public string StepResult(string container, string name) => $"{StepResults(container)}/{name}";
}
