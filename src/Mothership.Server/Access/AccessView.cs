using System.Collections.Immutable;
using Mothership.Cloud.Access;

namespace Mothership.Server.Access;

/// <summary>
/// The access policy as the server enforces it at one moment: whether anything is enforced, the
/// merged policy, the environment of each site of the site repository's tip (objects are
/// <c>ENVIRONMENT/SITE</c>), and the error of the repository's <c>policy.csv</c> when it does not
/// read (then the last good one is in force, or, with none yet, nothing but the admin is allowed).
/// </summary>
internal sealed record AccessView(bool Enforced, AccessPolicy Policy, ImmutableDictionary<string, string> Environments, string? RepositoryError)
{
    /// <summary>No policy anywhere: nothing is enforced beyond authentication.</summary>
    public static AccessView Open { get; } = new(false, AccessPolicy.Create([]), ImmutableDictionary<string, string>.Empty, null);

    /// <summary>The object of anything tied to <paramref name="site"/>: <c>ENVIRONMENT/SITE</c>, or <c>-/SITE</c> for a site the repository does not know.</summary>
    public string SiteObject(string site) =>
        Environments.TryGetValue(site, out var environment) ? AccessObject.ForSite(environment, site) : AccessObject.Unscoped(site);
}
