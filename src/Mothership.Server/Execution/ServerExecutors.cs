using Mothership.Cloud.Sites;
using Mothership.Engine.Execution;
using Mothership.Executors.Kubernetes;
using Mothership.Executors.Local;
using Mothership.Server.Hosting;

namespace Mothership.Server.Execution;

/// <summary>
/// The server's executors from its settings, and a site's route from its <c>site.yaml</c>: one
/// source of truth for where a site deploys (<c>executor.kind</c>; with <c>kubernetes</c> the
/// cluster's <c>context</c> in the server's kubeconfig, or in a kubeconfig of the server's
/// kubeconfig folder that <c>cluster.kubeconfig</c> names, pods in <c>executor.namespace</c>).
/// </summary>
internal static class ServerExecutors
{
    private const string KubeconfigsSetting = "Mothership__Cloud__Kubeconfigs";

    /// <summary>The routing executor over the server's own (<see cref="ServerOptions.Executor"/>).</summary>
    /// <exception cref="KubernetesConfigException">The server runs on Kubernetes without usable credentials.</exception>
    public static RoutingExecutor Create(ServerOptions o, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(o);
        ITaskExecutor home = o.Executor == ExecutorRoute.Kubernetes
            ? KubernetesExecutors.Create(o.Kubeconfig, o.KubernetesContext, o.KubernetesNamespace, time, KubernetesSettings(o))
            : Local(o);
        var router = new RoutingExecutor(home, o.Executor, route => Create(route, o, time));
        if (o.Executor == ExecutorRoute.Kubernetes)
        {
            // Made now, not on first use: after a restart its orphans and leftovers (a local deploy
            // the previous process ran) are found before any local run asks for it.
            router.For(new ExecutorRoute(ExecutorRoute.Local));
        }

        return router;
    }

    /// <summary>
    /// Where <paramref name="site"/>'s deploy runs, as its <c>site.yaml</c> says; null with
    /// <paramref name="error"/> when its <c>cluster.kubeconfig</c> is not a file the server may read.
    /// </summary>
    public static ExecutorRoute? RouteOf(SiteDefinition site, ServerOptions o, out string? error)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(o);
        error = null;
        if (site.Executor.Kind != ExecutorRoute.Kubernetes)
        {
            return new ExecutorRoute(ExecutorRoute.Local);
        }

        var kubeconfig = NullIfEmpty(site.Cluster.Kubeconfig);
        if (kubeconfig is not null && ResolveKubeconfig(o.Cloud.Kubeconfigs, kubeconfig, out var problem) is null)
        {
            error = $"{site.Cluster.At("kubeconfig")}: site '{site.Name}': field 'spec.cluster.kubeconfig': {problem}";
            return null;
        }

        return new ExecutorRoute(ExecutorRoute.Kubernetes, kubeconfig, NullIfEmpty(site.Cluster.Context), site.Executor.Namespace);
    }

    /// <summary>
    /// The file <paramref name="kubeconfig"/> (as a site repository names it) is under
    /// <paramref name="directory"/> (the server's kubeconfig folder); null with the reason when
    /// the folder is not set, or the path is absolute or climbs out of it.
    /// </summary>
    public static string? ResolveKubeconfig(string? directory, string kubeconfig, out string? error)
    {
        ArgumentNullException.ThrowIfNull(kubeconfig);
        error = null;
        if (string.IsNullOrEmpty(directory))
        {
            error = $"'{kubeconfig}': the server reads a site's kubeconfig only from its kubeconfig folder ({KubeconfigsSetting}), which is not set; "
                + "set it, or leave cluster.kubeconfig out to use the server's own kubeconfig";
            return null;
        }

        if (Path.IsPathRooted(kubeconfig))
        {
            error = $"'{kubeconfig}' is an absolute path; name a file relative to the server's kubeconfig folder ({KubeconfigsSetting})";
            return null;
        }

        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        var full = Path.GetFullPath(Path.Combine(root, kubeconfig));
        if (!full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            error = $"'{kubeconfig}' climbs out of the server's kubeconfig folder ({KubeconfigsSetting}); name a file inside it";
            return null;
        }

        return full;
    }

    /// <summary>The executor of a route (<see cref="RoutingExecutor"/> calls it on a route's first use).</summary>
    /// <exception cref="KubernetesConfigException">The route's cluster has no usable credentials, or its kubeconfig is not one the server may read.</exception>
    private static ITaskExecutor Create(ExecutorRoute route, ServerOptions o, TimeProvider time)
    {
        if (route.Kind == ExecutorRoute.Local)
        {
            return Local(o);
        }

        var kubeconfig = o.Kubeconfig is { Length: > 0 } own ? own : null;
        if (route.Kubeconfig is not null)
        {
            // Checked at intake too; again here because the folder setting may have changed since the run was stored.
            kubeconfig = ResolveKubeconfig(o.Cloud.Kubeconfigs, route.Kubeconfig, out var error)
                ?? throw new KubernetesConfigException($"cluster.kubeconfig {error}");
        }

        return KubernetesExecutors.Create(kubeconfig, route.Context, route.Namespace, time, KubernetesSettings(o));
    }

    private static LocalTaskExecutor Local(ServerOptions o) =>
        new(new LocalExecutorOptions { Root = Path.GetFullPath(o.Workdir), Sandbox = o.Sandbox, ReuseRunFolders = true });

    private static KubernetesExecutorOptions KubernetesSettings(ServerOptions o) => new()
    {
        ResultsFrom = KubernetesExecutorOptions.ParseResultsFrom(o.KubernetesResultsFrom) ?? ResultsFrom.TerminationMessage,
        MaxResultSize = o.KubernetesMaxResultSize,
        Instance = o.KubernetesInstance,
        Registries = KubernetesExecutorOptions.ParseRegistries(o.KubernetesRegistries, out _) ?? new Dictionary<string, Uri>(),
    };

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
