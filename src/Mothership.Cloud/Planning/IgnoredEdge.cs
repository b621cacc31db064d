namespace Mothership.Cloud.Planning;

/// <summary>An edge the charts declare that <c>cloud.yaml</c> drops.</summary>
public sealed record IgnoredEdge(string Service, string DependsOn, string Reason);
