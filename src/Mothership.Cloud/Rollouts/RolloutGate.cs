using System.Collections.Immutable;
using Mothership.Model.Tekton;

namespace Mothership.Cloud.Rollouts;

/// <summary>
/// <c>rollout.gates[]: {before: WAVE|each, approvers: [ROLE…]}</c>: the wave (<c>canary</c>,
/// <c>wave-1</c>, … or <c>each</c> wave after the first) starts only once someone holding one of
/// <see cref="Approvers"/> approved it.
/// </summary>
public sealed record RolloutGate : Located
{
    /// <summary>What <see cref="Before"/> says for every wave after the first.</summary>
    public const string Each = "each";

    /// <summary>The wave's name (<c>canary</c>, <c>wave-N</c>) or <see cref="Each"/>.</summary>
    public required string Before { get; init; }

    /// <summary>The roles whose holders may approve.</summary>
    public ImmutableArray<string> Approvers { get; init; } = [];

    /// <summary>
    /// Whether holding <paramref name="role"/> lets one approve: it is one of <see cref="Approvers"/>,
    /// either written with or without the access policy's <c>role:</c> prefix (cloud.yaml's
    /// <c>sre-leads</c> is the policy's <c>role:sre-leads</c>).
    /// </summary>
    public bool IsApprover(string role)
    {
        ArgumentNullException.ThrowIfNull(role);
        return Approvers.Any(a => string.Equals(Bare(a), Bare(role), StringComparison.Ordinal));
    }

    private static string Bare(string role) => role.StartsWith("role:", StringComparison.Ordinal) ? role[5..] : role;
}
