using Mothership.Ci.Forge;
using Mothership.Cloud.Promotion;
using Mothership.Cloud.Sites;

namespace Mothership.Server.Promotion;

/// <summary>The site repository's promotion as the server reads it at its default branch's tip: the policy, its GitHub repository and the sites.</summary>
internal sealed record PromotionView(PromotionPolicy Policy, RepositoryName Repository, IReadOnlyDictionary<string, SiteDefinition> Sites)
{
    /// <summary>The sites of <paramref name="environment"/>, by name.</summary>
    public IReadOnlyList<SiteDefinition> SitesOf(string environment) =>
        [.. Sites.Values.Where(s => s.Environment == environment).OrderBy(s => s.Name, StringComparer.Ordinal)];

    /// <summary>The stage of <paramref name="site"/>'s environment when deployment pull requests deploy it (not the chain's first); null otherwise.</summary>
    public PromotionStage? StageOf(string site) =>
        Sites.TryGetValue(site, out var definition) && Policy.Position(definition.Environment) is > 0 and var position ? Policy.Environments[position] : null;
}
