using Mothership.Cloud.Values;

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
