using System.Collections.Immutable;
using Mothership.Model.Tekton;

namespace Mothership.Cloud.Sites;

/// <summary><c>cloud.yaml</c>: the service catalog every site picks from.</summary>
public sealed record CloudCatalog : Located
{
    public required string Name { get; init; }

    public ImmutableArray<ServiceEntry> Services { get; init; } = [];

    /// <summary>Endpoint types known to come from outside every site: needing them is no warning.</summary>
    public ImmutableArray<ExternalEndpoint> ExternalEndpoints { get; init; } = [];

    public ServiceEntry? Find(string name) => Services.FirstOrDefault(s => s.Name == name);
}

/// <summary>One service of the catalog: a Helm release of one chart.</summary>
public sealed record ServiceEntry : Located
{
    public required string Name { get; init; }

    public required ChartReference Chart { get; init; }

    /// <summary>The Kubernetes namespace; default: the site's <c>cluster.namespace</c>.</summary>
    public string? Namespace { get; init; }

    /// <summary>The Helm release name; default: the service name.</summary>
    public string? Release { get; init; }

    /// <summary>Endpoint types this service provides; derived from its chart when empty.</summary>
    public ImmutableArray<string> Provides { get; init; } = [];

    /// <summary>
    /// Jobs this service's chart creates that charts wait for by name, when the name does not start
    /// with the chart's or release's name (Ceph's <c>ceph-storage-keys-generator</c> comes from ceph-mon).
    /// </summary>
    public ImmutableArray<string> Jobs { get; init; } = [];

    /// <summary>Edges the charts do not declare.</summary>
    public ImmutableArray<EdgeOverride> DependsOn { get; init; } = [];

    /// <summary>Edges the charts declare that this cloud drops.</summary>
    public ImmutableArray<EdgeOverride> IgnoreDependsOn { get; init; } = [];

    /// <summary>Typical install time, for the critical path; default 5 minutes.</summary>
    public TimeSpan? EstimatedDuration { get; init; }

    /// <summary>Run <c>helm test</c> once the release is ready.</summary>
    public bool Test { get; init; }

    /// <summary>How long to wait for the release's pods and jobs; default 15 minutes.</summary>
    public TimeSpan? Timeout { get; init; }

    public string ReleaseName => Release ?? Name;

    public static TimeSpan DefaultEstimatedDuration { get; } = TimeSpan.FromMinutes(5);

    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromMinutes(15);
}

/// <summary>A chart in the site repository (<c>path</c>) or in a chart repository (<c>repository</c>, <c>name</c>, <c>version</c>).</summary>
public sealed record ChartReference : Located
{
    public string? Path { get; init; }

    public string? Repository { get; init; }

    public string? Name { get; init; }

    public string? Version { get; init; }

    /// <summary>How the plan shows the chart: the path, or <c>name@version</c>.</summary>
    public string Display => Path ?? $"{Name}@{Version}";
}

/// <summary>An edge added or dropped by <c>cloud.yaml</c>, and why.</summary>
public sealed record EdgeOverride : Located
{
    public required string Service { get; init; }

    public string? Reason { get; init; }
}

/// <summary>An endpoint type acknowledged as outside every site.</summary>
public sealed record ExternalEndpoint : Located
{
    public required string Endpoint { get; init; }

    public required string Reason { get; init; }
}

/// <summary><c>sites/&lt;site&gt;/site.yaml</c>: one deployment target.</summary>
public sealed record SiteDefinition : Located
{
    public required string Name { get; init; }

    /// <summary>dev, stage or prod.</summary>
    public required string Environment { get; init; }

    public required string Region { get; init; }

    public ClusterTarget Cluster { get; init; } = new();

    /// <summary>Where the site's deploy pipeline runs.</summary>
    public SiteExecutor Executor { get; init; } = new();

    /// <summary>OpenStack-Helm feature overrides (<c>values_overrides/&lt;chart&gt;/&lt;feature&gt;.yaml</c>), in layer order.</summary>
    public ImmutableArray<string> Features { get; init; } = [];

    /// <summary>The enabled services, as written.</summary>
    public ImmutableArray<string> Services { get; init; } = [];
}

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

/// <summary>A site with the catalog it is read against, both as of one revision.</summary>
public sealed record SiteRepository
{
    public required CloudCatalog Catalog { get; init; }

    public required SiteDefinition Site { get; init; }

    /// <summary>The enabled services' catalog entries, in the site's order.</summary>
    public ImmutableArray<ServiceEntry> Services { get; init; } = [];

    public string NamespaceOf(ServiceEntry service) => service.Namespace ?? Site.Cluster.Namespace;
}
