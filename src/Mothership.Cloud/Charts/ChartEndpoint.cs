namespace Mothership.Cloud.Charts;

/// <summary><c>endpoints.&lt;type&gt;</c>: who serves an endpoint type, as the chart names it.</summary>
public sealed record ChartEndpoint(string Type, string? Name, string? Host);
