using System.Collections.Immutable;
using Mothership.Cloud.Promotion;
using Mothership.Model.Tekton;

namespace Mothership.Cloud.Sites;

/// <summary><c>cloud.yaml</c>: the service catalog every site picks from.</summary>
public sealed record CloudCatalog : Located
{
    public required string Name { get; init; }

    public ImmutableArray<ServiceEntry> Services { get; init; } = [];

    /// <summary>Endpoint types known to come from outside every site: needing them is no warning.</summary>
    public ImmutableArray<ExternalEndpoint> ExternalEndpoints { get; init; } = [];

    /// <summary><c>spec.promotion</c>: how a revision travels from environment to environment; null when the cloud declares none.</summary>
    public PromotionPolicy? Promotion { get; init; }

    public ServiceEntry? Find(string name) => Services.FirstOrDefault(s => s.Name == name);
}
