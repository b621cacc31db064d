using Mothership.Model.Tekton.Vocabulary;

namespace Mothership.Engine.Status;

/// <summary>
/// The <c>[task/step] </c> that starts a log line shown to a person: the pipeline task's name (a
/// standalone TaskRun's own name) and the step's (a sidecar's container name). One form for
/// <c>mship run</c>, <c>mship logs</c> (followed or not) and the server's text logs.
/// </summary>
public static class LogPrefix
{
    public static string Of(string task, string container) => $"[{task}/{StepName(container)}] ";

    /// <summary>A step's name without Tekton's <c>step-</c> container prefix; any other container's name as it is.</summary>
    public static string StepName(string container) => ContainerNames.IsStep(container) ? ContainerNames.Unprefixed(container) : container;
}
