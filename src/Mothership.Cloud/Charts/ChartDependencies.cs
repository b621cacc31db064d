using System.Collections.Immutable;

namespace Mothership.Cloud.Charts;

/// <summary>A chart's declared waits and endpoint names, read from its values.</summary>
public sealed record ChartDependencies(ImmutableArray<ChartNeed> Needs, ImmutableArray<ChartEndpoint> Endpoints)
{
    public ChartEndpoint? Endpoint(string type) => Endpoints.FirstOrDefault(e => e.Type == type);
}
