using k8s.Models;
using Mothership.Engine.Execution;

namespace Mothership.Executors.Kubernetes.Pods;

/// <summary>What a pod's status says of one of its containers.</summary>
public sealed record ContainerObservation(string Container, string? Image, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, int? ExitCode, bool TimedOut)
{
    public bool Terminated => ExitCode is not null;
}

/// <summary>
/// Reads a pod's container statuses (a pure function). What they mean for the TaskRun (verdicts,
/// reasons, messages) is the engine's <see cref="AttemptRules"/>: see <c>KubernetesTaskExecutor</c>.
/// </summary>
public static class PodStatusReader
{
    /// <summary>The container's state: waiting (no start), running (a start) or terminated (an exit code).</summary>
    public static ContainerObservation Observe(V1Pod pod, string container, string? image)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var status = Status(pod, container);
        if (status?.State?.Terminated is { } t)
        {
            return new ContainerObservation(container, status.Image ?? image, t.StartedAt, t.FinishedAt, t.ExitCode,
                TimedOut: t.Message?.Contains(StepWrapper.TimeoutMarker, StringComparison.Ordinal) == true);
        }

        return new ContainerObservation(container, status?.Image ?? image, status?.State?.Running?.StartedAt, null, null, TimedOut: false);
    }

    /// <summary>Whether the container has started (running or ended): its log can be followed.</summary>
    public static bool Started(V1Pod pod, string container) =>
        Status(pod, container)?.State is { } s && (s.Running is not null || s.Terminated is not null);

    public static bool Finished(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        return pod.Status?.Phase is "Succeeded" or "Failed";
    }

    private static V1ContainerStatus? Status(V1Pod pod, string container) =>
        (pod.Status?.InitContainerStatuses ?? []).Concat(pod.Status?.ContainerStatuses ?? []).FirstOrDefault(s => s.Name == container);
}
