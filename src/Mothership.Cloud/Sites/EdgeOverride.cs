using Mothership.Model.Tekton;

namespace Mothership.Cloud.Sites;

/// <summary>An edge added or dropped by <c>cloud.yaml</c>, and why.</summary>
public sealed record EdgeOverride : Located
{
    public required string Service { get; init; }

    public string? Reason { get; init; }
}
