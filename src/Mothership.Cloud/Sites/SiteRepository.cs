using System.Collections.Immutable;

namespace Mothership.Cloud.Sites;

/// <summary>A site with the catalog it is read against, both as of one revision.</summary>
public sealed record SiteRepository
{
    public required CloudCatalog Catalog { get; init; }

    public required SiteDefinition Site { get; init; }

    /// <summary>The enabled services' catalog entries, in the site's order.</summary>
    public ImmutableArray<ServiceEntry> Services { get; init; } = [];

    public string NamespaceOf(ServiceEntry service) => service.Namespace ?? Site.Cluster.Namespace;
}
