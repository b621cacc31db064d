using System.Collections.Immutable;

namespace Mothership.Cloud.Rollouts;

/// <summary>The result of one <see cref="RolloutDecider.Next"/> step: the new state, what to do, and every change with its reason.</summary>
public sealed record RolloutDecision
{
    public required RolloutState State { get; init; }

    public ImmutableArray<RolloutAction> Actions { get; init; } = [];

    /// <summary>Site state changes, in order; the durable rollout writes each as an event.</summary>
    public ImmutableArray<SiteTransition> Transitions { get; init; } = [];

    public ImmutableArray<RolloutStatusChange> StatusChanges { get; init; } = [];

    /// <summary>Events that changed nothing, each with why (a repeat, a stale attempt, an approver without the role, …).</summary>
    public ImmutableArray<(RolloutEvent Event, string Why)> Ignored { get; init; } = [];

    /// <summary>When to call <see cref="RolloutDecider.Next"/> again if no event comes first (a bake ends, a window opens); null: only on an event.</summary>
    public DateTimeOffset? WakeAt { get; init; }
}
