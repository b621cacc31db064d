using System.Collections.Immutable;
using Mothership.Cloud.Values;
using Mothership.Model.Diagnostics;

namespace Mothership.Cloud.Charts;

/// <summary>A Helm chart as the planner needs it: its identity and its default values.</summary>
public sealed record ChartInfo
{
    public required string Name { get; init; }

    public required string Version { get; init; }

    /// <summary>Where the chart was read, for messages.</summary>
    public required string Source { get; init; }

    /// <summary>The chart's own values.yaml.</summary>
    public required ValueMap Values { get; init; }
}

/// <summary>What a chart's component waits for.</summary>
public enum NeedKind
{
    /// <summary><c>dependencies.static.&lt;c&gt;.services[].service</c>: an endpoint type (oslo_db, identity, …).</summary>
    Endpoint,

    /// <summary><c>dependencies.static.&lt;c&gt;.pod[].labels.application</c>: pods of another chart.</summary>
    Pod,

    /// <summary><c>dependencies.static.&lt;c&gt;.jobs[]</c>: a job by name.</summary>
    Job,
}

/// <summary>One wait declared by a chart: <paramref name="Target"/> is the endpoint type, application or job.</summary>
public sealed record ChartNeed(NeedKind Kind, string Target, string Component, SourceLocation Location)
{
    public override string ToString() => Kind switch
    {
        NeedKind.Endpoint => $"endpoint {Target} ({Component})",
        NeedKind.Pod => $"pods of {Target} ({Component})",
        _ => $"job {Target} ({Component})",
    };
}

/// <summary><c>endpoints.&lt;type&gt;</c>: who serves an endpoint type, as the chart names it.</summary>
public sealed record ChartEndpoint(string Type, string? Name, string? Host);

/// <summary>A chart's declared waits and endpoint names, read from its values.</summary>
public sealed record ChartDependencies(ImmutableArray<ChartNeed> Needs, ImmutableArray<ChartEndpoint> Endpoints)
{
    public ChartEndpoint? Endpoint(string type) => Endpoints.FirstOrDefault(e => e.Type == type);
}
