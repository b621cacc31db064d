using Mothership.Model.Tekton;

namespace Mothership.Cloud.Sites;

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
