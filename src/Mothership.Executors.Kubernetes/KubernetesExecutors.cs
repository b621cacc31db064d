using k8s;

namespace Mothership.Executors.Kubernetes;

/// <summary>Builds the Kubernetes executor from where its credentials are: a kubeconfig file, or the pod it runs in.</summary>
public static class KubernetesExecutors
{
    private const string InClusterNamespaceFile = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

    /// <summary>
    /// A kubeconfig file when <paramref name="kubeconfig"/> is given; otherwise in-cluster
    /// credentials when running in a pod (and no <paramref name="context"/> is named), else <c>$KUBECONFIG</c> or <c>~/.kube/config</c>. The
    /// namespace defaults to the pod's own, else to the context's, else <c>default</c>. Missing or
    /// unreadable credentials are a <see cref="KubernetesConfigException"/>.
    /// </summary>
    public static KubernetesTaskExecutor Create(string? kubeconfig, string? context, string? @namespace, TimeProvider time, KubernetesExecutorOptions? settings = null)
    {
        var config = Credentials(kubeconfig, context);
        var ns = @namespace
            ?? (File.Exists(InClusterNamespaceFile) ? File.ReadAllText(InClusterNamespaceFile).Trim() : null)
            ?? config.Namespace
            ?? "default";
        return new KubernetesTaskExecutor(new k8s.Kubernetes(config), (settings ?? new KubernetesExecutorOptions()) with { Namespace = ns, TimeProvider = time });
    }

    /// <summary>
    /// Checks that the credentials <see cref="Create"/> would use are there and readable, without
    /// connecting: a command calls it before printing anything it would otherwise print first.
    /// </summary>
    /// <exception cref="KubernetesConfigException">The credentials are missing or unreadable.</exception>
    public static void CheckCredentials(string? kubeconfig, string? context) => Credentials(kubeconfig, context);

    private static KubernetesClientConfiguration Credentials(string? kubeconfig, string? context)
    {
        try
        {
            // The client reads ~/.kube/config when given no file; $KUBECONFIG (its first file) comes first, as for kubectl.
            // A context names an entry of a kubeconfig: in a pod too it is read from one, not ignored for the pod's own cluster.
            return kubeconfig is null && context is null && KubernetesClientConfiguration.IsInCluster()
                ? KubernetesClientConfiguration.InClusterConfig()
                : KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig ?? FromEnvironment(), context);
        }
        catch (Exception e) when (e is k8s.Exceptions.KubeConfigException or IOException or UnauthorizedAccessException or YamlDotNet.Core.YamlException)
        {
            var where = kubeconfig ?? FromEnvironment() ?? "~/.kube/config";
            throw new KubernetesConfigException(
                $"no Kubernetes credentials from {where}{(context is null ? "" : $" (context '{context}')")}: {e.Message.TrimEnd('.')}; pass --kubeconfig (and --kube-context), set KUBECONFIG, or run inside a pod", e);
        }
    }

    private static string? FromEnvironment() =>
        Environment.GetEnvironmentVariable("KUBECONFIG")?.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
}
