using System.Security.Claims;
using Mothership.Server.Access;
using Mothership.Server.Identity;

namespace Mothership.Server.Rollouts;

/// <summary>
/// A caller's roles for rollout gates. With an access policy in force: the roles the policy gives
/// the caller (<see cref="ServerAccess.RolesOfAsync"/>: its <c>g</c> lines for the user and its
/// groups, <c>role:admin</c> for the bootstrap admin). Without one: the caller's role claims
/// (<c>admin</c> for the bootstrap token) and its groups (an OIDC token's), per
/// <see cref="MothershipClaims"/> — so on a server without authentication nobody opens a gate.
/// </summary>
internal sealed class PolicyRolloutRoles(ServerAccess access) : IRolloutRoles
{
    public async Task<IReadOnlyList<string>> RolesOfAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        if ((await access.CurrentAsync(cancellationToken).ConfigureAwait(false)).Enforced)
        {
            return await access.RolesOfAsync(user, cancellationToken).ConfigureAwait(false);
        }

        return user.Identity?.IsAuthenticated == true
            ? [.. user.FindAll(MothershipClaims.Role).Select(c => c.Value).Concat(MothershipClaims.GroupsOf(user)).Distinct(StringComparer.Ordinal)]
            : [];
    }
}
