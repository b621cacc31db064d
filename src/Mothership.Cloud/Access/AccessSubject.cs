using System.Collections.Immutable;
using System.Security.Claims;

namespace Mothership.Cloud.Access;

/// <summary>
/// Who asks: a user name (empty for none) and the groups an identity provider put the user in.
/// Both are policy subjects: a <c>p</c> or <c>g</c> line may name either.
/// </summary>
public sealed record AccessSubject(string Name, ImmutableArray<string> Groups)
{
    /// <summary>The claim type OIDC providers use for groups (Argo CD's default <c>scopes: [groups]</c>).</summary>
    public const string GroupsClaimType = "groups";

    /// <summary>A user with no groups.</summary>
    public static AccessSubject User(string name) => new(name, []);

    /// <summary>The subject of an authenticated principal: its identity's name and its <paramref name="groupsClaimType"/> claims.</summary>
    public static AccessSubject FromPrincipal(ClaimsPrincipal principal, string groupsClaimType = GroupsClaimType)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return new(principal.Identity?.Name ?? "", [.. principal.FindAll(groupsClaimType).Select(c => c.Value).Distinct(StringComparer.Ordinal)]);
    }
}
