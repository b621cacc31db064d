namespace Mothership.Ci.Plugins.ApproveRollout;

/// <summary>
/// Rollout gates as <c>/approve-rollout</c> approves them (the server answers: the access policy's
/// <c>approve</c> on the environment's rollouts for <c>github:LOGIN</c>, then the gate's roles, the
/// same rule as its API; each decision audited with source <c>github</c>). Kept to strings so this
/// project needs none of the server's types.
/// </summary>
public interface IRolloutApprovals
{
    /// <summary>
    /// GitHub user <paramref name="login"/> approves <paramref name="gate"/> (a wave or its gate;
    /// null: the one waiting) of rollout <paramref name="rollout"/>, which the rollout pull request of
    /// <paramref name="environment"/> names.
    /// </summary>
    Task<RolloutApproval> ApproveAsync(string login, string environment, string rollout, string? gate, CancellationToken cancellationToken);
}
