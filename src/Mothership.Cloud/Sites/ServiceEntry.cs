using System.Collections.Immutable;
using Mothership.Model.Tekton;

namespace Mothership.Cloud.Sites;

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
