namespace Mothership.Store;

/// <summary>
/// A rollout of one environment to one revision as the store keeps it: who started it, its
/// status, its state (<see cref="Document"/>, JSON the server owns: every site's progress, the
/// approvals, which deploy runs which attempt), the version every write bumps (so two writers
/// never both change it) and the lease of the replica that drives it.
/// </summary>
public sealed record RolloutRecord
{
    /// <summary>The rollout's name (unique; a Kubernetes-style name).</summary>
    public required string Name { get; init; }

    public required string Environment { get; init; }

    /// <summary>The site repository's commit rolled out (full id); the plan is rebuilt from it.</summary>
    public required string Revision { get; init; }

    /// <summary>Who started it.</summary>
    public required string Actor { get; init; }

    /// <summary><c>Running</c>, <c>Paused</c>, <c>Halted</c>, <c>Aborted</c>, <c>Succeeded</c>, <c>SucceededWithFailures</c>.</summary>
    public required string Status { get; init; }

    /// <summary>Why it is in its status (the last status change's message); null when nothing was said.</summary>
    public string? Reason { get; init; }

    /// <summary>True until it is over; at most one active rollout per environment.</summary>
    public bool Active { get; init; } = true;

    /// <summary>The state, as JSON the server reads and writes whole.</summary>
    public required string Document { get; init; }

    /// <summary>Bumped by every <see cref="IRunStore.UpdateRolloutAsync"/>; starts at 1.</summary>
    public long Version { get; init; } = 1;

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>When the driver must look at it again without an event (a bake ends, a window opens); null: only on an event.</summary>
    public DateTimeOffset? WakeAt { get; init; }

    /// <summary>The replica that drives it; null when none holds the lease.</summary>
    public string? LeaseOwner { get; init; }

    public DateTimeOffset? LeaseExpiresAt { get; init; }
}
