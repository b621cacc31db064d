using System.Security.Claims;

namespace Mothership.Server.Rollouts;

/// <summary>
/// Which roles a caller holds, as far as rollout gates are concerned: an approval counts when one
/// of them is among the gate's approvers. The one place the access policy's answer plugs in
/// (<see cref="PolicyRolloutRoles"/>).
/// </summary>
internal interface IRolloutRoles
{
    Task<IReadOnlyList<string>> RolesOfAsync(ClaimsPrincipal user, CancellationToken cancellationToken);
}
