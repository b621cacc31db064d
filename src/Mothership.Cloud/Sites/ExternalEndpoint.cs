using Mothership.Model.Tekton;

namespace Mothership.Cloud.Sites;

/// <summary>An endpoint type acknowledged as outside every site.</summary>
public sealed record ExternalEndpoint : Located
{
    public required string Endpoint { get; init; }

    public required string Reason { get; init; }
}
