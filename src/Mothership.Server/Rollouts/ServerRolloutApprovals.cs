using Microsoft.AspNetCore.Http;
using Mothership.Ci.Plugins.ApproveRollout;
using Mothership.Cloud.Access;
using Mothership.Server.Access;
using Mothership.Store;

namespace Mothership.Server.Rollouts;

/// <summary>
/// <c>/approve-rollout</c>'s questions answered as the API's approve answers them: the GitHub user
/// is the subject <c>github:LOGIN</c>; the policy must let it <c>approve</c> the environment's
/// rollouts (<c>ENVIRONMENT/*</c>), then <see cref="RolloutService.ApproveAsync"/> decides with the
/// roles the policy gives it. Both decisions are audited with source <c>github</c>. Without an
/// enforced policy a GitHub user holds no role, so nothing is approved from GitHub.
/// </summary>
internal sealed class ServerRolloutApprovals(ServerAccess access, RolloutService rollouts, IRunStore store, TimeProvider time) : IRolloutApprovals
{
    public async Task<RolloutApproval> ApproveAsync(string login, string environment, string rollout, string? gate, CancellationToken cancellationToken)
    {
        var subject = ServerDeployPermissions.SubjectPrefix + login;
        if (await store.GetRolloutAsync(rollout, cancellationToken).ConfigureAwait(false) is not { } found || found.Environment != environment)
        {
            return new RolloutApproval(false, $"rollout {rollout} of {environment} does not exist: nothing was approved.");
        }

        var view = await access.CurrentAsync(cancellationToken).ConfigureAwait(false);
        if (!view.Enforced)
        {
            return new RolloutApproval(false,
                $"no access policy is enforced on this server, so {subject} holds no role that opens a gate: approve rollout {rollout} by the API, `mship rollout approve` or the dashboard.");
        }

        var question = new AccessQuestion(AccessResources.Rollouts, AccessActions.Approve, AccessObjects.Environment(environment));
        var decision = view.Policy.Decide(AccessSubject.User(subject), question.Resource, question.Action, question.Object);
        await AccessAudit.WriteAsync(store, time, subject, AccessSources.GitHub, question, decision, cancellationToken).ConfigureAwait(false);
        if (!decision.Allowed)
        {
            return new RolloutApproval(false,
                $"{subject} may not approve rollouts of {environment} ({(decision.Rule is null ? "no rule allows it" : decision.Reason)}): the gate stays closed.");
        }

        var roles = view.Policy.RolesOf(AccessSubject.User(subject));
        var answer = await rollouts.ApproveAsync(rollout, gate, subject, roles, cancellationToken).ConfigureAwait(false);
        switch (answer.Status)
        {
            case StatusCodes.Status200OK:
                return new RolloutApproval(true, $"{answer.Message}: its wave starts.");
            case StatusCodes.Status403Forbidden:
                await AccessAudit.WriteGateRefusalAsync(store, time, subject, AccessSources.GitHub, environment, answer.Message ?? "", cancellationToken).ConfigureAwait(false);
                return new RolloutApproval(false, $"{answer.Message}: the gate stays closed.");
            default:
                return new RolloutApproval(false, $"nothing was approved: {answer.Message}.");
        }
    }
}
