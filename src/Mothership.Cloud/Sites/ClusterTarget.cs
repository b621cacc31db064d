using Mothership.Model.Tekton;

namespace Mothership.Cloud.Sites;

/// <summary>Where a site's releases go.</summary>
public sealed record ClusterTarget : Located
{
    /// <summary>The kubeconfig context; empty means the current context (or in-cluster config).</summary>
    public string? Context { get; init; }

    /// <summary>Default namespace of the site's releases; default <c>openstack</c>.</summary>
    public string Namespace { get; init; } = "openstack";

    /// <summary>A kubeconfig file; empty means kubectl's and helm's own default.</summary>
    public string? Kubeconfig { get; init; }
}
