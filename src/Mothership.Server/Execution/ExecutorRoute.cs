using Mothership.Model.Tekton.Vocabulary;

namespace Mothership.Server.Execution;

/// <summary>
/// Where a run's TaskRuns run, as the run's annotations say (<see cref="MothershipLabels.Executor"/>
/// and the cluster ones): a server deploy writes them at intake from its site's <c>site.yaml</c>,
/// so a rerun, or the run resumed after a restart, goes where it went without the site repository.
/// The service account is not part of it: it travels in the run's own spec
/// (<c>taskRunTemplate.serviceAccountName</c>) and reaches each pod from there.
/// </summary>
/// <param name="Kind"><c>local</c> or <c>kubernetes</c>.</param>
/// <param name="Kubeconfig">With <c>kubernetes</c>: the site's <c>cluster.kubeconfig</c>, relative to the server's kubeconfig folder; null: the server's kubeconfig.</param>
/// <param name="Context">With <c>kubernetes</c>: the kubeconfig context; null: the kubeconfig's current one.</param>
/// <param name="Namespace">With <c>kubernetes</c>: the namespace of the pods.</param>
internal sealed record ExecutorRoute(string Kind, string? Kubeconfig = null, string? Context = null, string? Namespace = null)
{
    public const string Local = "local";

    public const string Kubernetes = "kubernetes";

    /// <summary>The run's route; null when it carries none (the server's own executor runs it).</summary>
    /// <exception cref="InvalidOperationException">The annotations name no executor Mothership knows.</exception>
    public static ExecutorRoute? Of(IReadOnlyDictionary<string, string> annotations)
    {
        ArgumentNullException.ThrowIfNull(annotations);
        if (!annotations.TryGetValue(MothershipLabels.Executor, out var kind))
        {
            return null;
        }

        return kind switch
        {
            Local => new ExecutorRoute(Local),
            Kubernetes => new ExecutorRoute(
                Kubernetes,
                annotations.GetValueOrDefault(MothershipLabels.ClusterKubeconfig),
                annotations.GetValueOrDefault(MothershipLabels.ClusterContext),
                annotations.GetValueOrDefault(MothershipLabels.ClusterNamespace)),
            _ => throw new InvalidOperationException($"annotation {MothershipLabels.Executor}: '{kind}' is neither local nor kubernetes"),
        };
    }

    /// <summary>The annotations that say this route on a run.</summary>
    public IReadOnlyDictionary<string, string> Annotations()
    {
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal) { [MothershipLabels.Executor] = Kind };
        if (Kubeconfig is not null)
        {
            annotations[MothershipLabels.ClusterKubeconfig] = Kubeconfig;
        }

        if (Context is not null)
        {
            annotations[MothershipLabels.ClusterContext] = Context;
        }

        if (Namespace is not null)
        {
            annotations[MothershipLabels.ClusterNamespace] = Namespace;
        }

        return annotations;
    }

    public override string ToString() => Kind == Local
        ? "the local executor"
        : $"Kubernetes {(Context is null ? "(current context)" : $"context '{Context}'")}{(Kubeconfig is null ? "" : $" of kubeconfig '{Kubeconfig}'")}, namespace '{Namespace}'";
}
