using System.Security.Claims;
using Mothership.Server.Identity;

namespace Mothership.Server.Rollouts;

/// <summary>
/// Until the server loads an access policy: the caller's role claims (<c>admin</c> for the
/// bootstrap token) and its groups (an OIDC token's), per <see cref="MothershipClaims"/>.
/// </summary>
internal sealed class ClaimRolloutRoles : IRolloutRoles
{
    public IReadOnlyList<string> RolesOf(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true
            ? [.. user.FindAll(MothershipClaims.Role).Select(c => c.Value).Concat(MothershipClaims.GroupsOf(user)).Distinct(StringComparer.Ordinal)]
            : [];
}
