using System.Collections.Immutable;
using Mothership.Model.Tekton;

namespace Mothership.Cloud.Sites;

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
