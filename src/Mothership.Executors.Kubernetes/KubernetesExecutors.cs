using k8s;

namespace Mothership.Executors.Kubernetes;

/// <summary>Builds the Kubernetes executor from where its credentials are: a kubeconfig file, or the pod it runs in.</summary>
public static class KubernetesExecutors
{
    private const string InClusterNamespaceFile = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

    /// <summary>
    /// A kubeconfig file when <paramref name="kubeconfig"/> is given; otherwise in-cluster
    /// credentials when running in a pod, else <c>$KUBECONFIG</c> or <c>~/.kube/config</c>. The
    /// namespace defaults to the pod's own, else to the context's, else <c>default</c>.
    /// </summary>
    public static KubernetesTaskExecutor Create(string? kubeconfig, string? context, string? @namespace, TimeProvider time, KubernetesExecutorOptions? settings = null)
    {
        var config = kubeconfig is null && KubernetesClientConfiguration.IsInCluster()
            ? KubernetesClientConfiguration.InClusterConfig()
            : KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig, context);
        var ns = @namespace
            ?? (File.Exists(InClusterNamespaceFile) ? File.ReadAllText(InClusterNamespaceFile).Trim() : null)
            ?? config.Namespace
            ?? "default";
        return new KubernetesTaskExecutor(new k8s.Kubernetes(config), (settings ?? new KubernetesExecutorOptions()) with { Namespace = ns, TimeProvider = time });
    }
}
