using Mothership.Model.Tekton;

namespace Mothership.Cloud.Sites;

/// <summary>
/// Where a site's deploy pipeline runs: on this machine (<c>local</c>, helm and kubectl from its
/// PATH and the site's kubeconfig context), or as pods in the site's own cluster
/// (<c>kubernetes</c>: the cluster's kubeconfig and context, pods in <see cref="Namespace"/>, helm
/// and kubectl with the <see cref="ServiceAccount"/>'s in-cluster credentials).
/// </summary>
public sealed record SiteExecutor : Located
{
    public const string DefaultNamespace = "mothership";

    public const string DefaultServiceAccount = "mothership-deployer";

    /// <summary><c>local</c> (default) or <c>kubernetes</c>.</summary>
    public string Kind { get; init; } = "local";

    /// <summary>With <c>kubernetes</c>: the namespace of the deploy TaskRuns' pods and of the state claim.</summary>
    public string Namespace { get; init; } = DefaultNamespace;

    /// <summary>With <c>kubernetes</c>: the account the deploy pods run as (it needs the rights helm needs).</summary>
    public string ServiceAccount { get; init; } = DefaultServiceAccount;
}
