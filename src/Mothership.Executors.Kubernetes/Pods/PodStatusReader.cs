using System.Collections.Immutable;
using k8s.Models;
using Mothership.Engine.Execution;

namespace Mothership.Executors.Kubernetes.Pods;

/// <summary>Reads a pod's container statuses as Tekton step states (a pure function).</summary>
public static class PodStatusReader
{
    /// <summary>The state of every container in <paramref name="names"/>, in order; a container with no status yet is waiting.</summary>
    public static ImmutableArray<StepState> States(V1Pod pod, IEnumerable<string> names, IReadOnlyDictionary<string, string?> images)
    {
        var statuses = (pod.Status?.InitContainerStatuses ?? []).Concat(pod.Status?.ContainerStatuses ?? []).ToDictionary(s => s.Name, StringComparer.Ordinal);
        return [.. names.Select(n => State(n, statuses.GetValueOrDefault(n), images.GetValueOrDefault(n)))];
    }

    private static StepState State(string container, V1ContainerStatus? status, string? image)
    {
        var name = container.StartsWith("step-", StringComparison.Ordinal) ? container[5..] : container.StartsWith("sidecar-", StringComparison.Ordinal) ? container[8..] : container;
        var state = new StepState { Name = name, Container = container, Image = status?.Image ?? image };
        if (status?.State?.Terminated is { } t)
        {
            return state with
            {
                StartedAt = t.StartedAt,
                FinishedAt = t.FinishedAt,
                ExitCode = t.ExitCode,
                Reason = t.Reason ?? (t.ExitCode == 0 ? "Completed" : "Error"),
                TerminationReason = t.ExitCode == 0 ? "Completed" : "Error",
            };
        }

        return status?.State?.Running is { } r ? state with { StartedAt = r.StartedAt } : state;
    }

    /// <summary>Whether the container has started (running or ended): its log can be followed.</summary>
    public static bool Started(V1Pod pod, string container) =>
        (pod.Status?.InitContainerStatuses ?? []).Concat(pod.Status?.ContainerStatuses ?? [])
            .Any(s => s.Name == container && (s.State?.Running is not null || s.State?.Terminated is not null));

    public static bool Finished(V1Pod pod) => pod.Status?.Phase is "Succeeded" or "Failed";
}
