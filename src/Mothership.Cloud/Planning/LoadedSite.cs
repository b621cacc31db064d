using System.Collections.Immutable;
using Mothership.Cloud.Charts;
using Mothership.Cloud.Sites;
using Mothership.Cloud.Sources;
using Mothership.Cloud.Values;

namespace Mothership.Cloud.Planning;

/// <summary>One site read as of one revision, with each enabled service's chart and merged values.</summary>
public sealed record LoadedSite
{
    public required SiteRepository Repository { get; init; }

    public required IRepositoryFiles Files { get; init; }

    public required ImmutableDictionary<string, ChartInfo> Charts { get; init; }

    public required ImmutableDictionary<string, RenderedValues> Values { get; init; }
}
