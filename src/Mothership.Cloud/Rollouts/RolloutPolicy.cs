using System.Collections.Immutable;
using Mothership.Model.Tekton;

namespace Mothership.Cloud.Rollouts;

/// <summary>
/// <c>cloud.yaml</c>'s <c>spec.promotion.environments[].rollout</c>: how a revision reaches the
/// sites of one environment — canary sites first, then waves, at most
/// <see cref="MaxParallelSites"/> deploying at once, halting on failure (or within a budget),
/// baking each deployed site, behind approval gates and change windows.
/// </summary>
public sealed record RolloutPolicy : Located
{
    /// <summary>The environment whose sites this policy rolls out to (dev, stage or prod).</summary>
    public required string Environment { get; init; }

    /// <summary>The sites deployed first, alone in their own wave; null: no canary wave.</summary>
    public RolloutCanary? Canary { get; init; }

    /// <summary>How the other sites are grouped (default: one wave of all of them).</summary>
    public RolloutWaves Waves { get; init; } = new();

    /// <summary>At most this many sites deploying at once; null (the default): a whole wave at once.</summary>
    public int? MaxParallelSites { get; init; }

    /// <summary>
    /// Whether a failed site deploy halts the rollout (default true): the sites not started yet
    /// are halted. With <see cref="FailureBudget"/> it halts once the failures exceed the budget.
    /// A canary's failure and a failed bake check always halt.
    /// </summary>
    public bool HaltOnFailure { get; init; } = true;

    /// <summary>The site deploy failures tolerated before halting; null (the default): none.</summary>
    public FailureBudget? FailureBudget { get; init; }

    /// <summary>What happens after a site deployed, before it counts as succeeded; null: nothing.</summary>
    public RolloutBake? Bake { get; init; }

    /// <summary>Approvals needed before waves start.</summary>
    public ImmutableArray<RolloutGate> Gates { get; init; } = [];

    /// <summary>When waves may start; null (the default): at any time.</summary>
    public ChangeWindows? Windows { get; init; }

    /// <summary>How many failed site deploys a rollout over <paramref name="sites"/> sites tolerates before it halts.</summary>
    public int AllowedFailures(int sites) => !HaltOnFailure ? int.MaxValue : FailureBudget?.Allowed(sites) ?? 0;
}
