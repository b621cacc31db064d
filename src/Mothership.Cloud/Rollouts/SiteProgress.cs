namespace Mothership.Cloud.Rollouts;

/// <summary>One site's record in a <see cref="RolloutState"/>.</summary>
public sealed record SiteProgress
{
    public required string Site { get; init; }

    /// <summary>Index of the site's wave in the plan.</summary>
    public required int Wave { get; init; }

    public SiteRolloutState State { get; init; } = SiteRolloutState.Pending;

    /// <summary>How many times its deploy started (0 before the first); deploy and bake events name the attempt they report.</summary>
    public int Attempt { get; init; }

    /// <summary>While <see cref="SiteRolloutState.Baking"/>: when the bake time ends.</summary>
    public DateTimeOffset? BakeUntil { get; init; }

    /// <summary>While <see cref="SiteRolloutState.Baking"/>: whether its bake check was started.</summary>
    public bool BakeCheckStarted { get; init; }

    /// <summary>When <see cref="SiteRolloutState.Failed"/>: whether the bake check failed (rather than the deploy).</summary>
    public bool FailedInBake { get; init; }

    /// <summary>The reason of its last transition (a <see cref="RolloutReasons"/> value).</summary>
    public string? Reason { get; init; }

    /// <summary>The message of its last transition.</summary>
    public string? Message { get; init; }

    /// <summary>Whether the site is done for good (succeeded, failed, skipped) — a failed one only until retried.</summary>
    public bool IsFinished => State is SiteRolloutState.Succeeded or SiteRolloutState.Failed or SiteRolloutState.Skipped;

    /// <summary>Whether its deploy or bake check runs.</summary>
    public bool IsInFlight => State is SiteRolloutState.Deploying or SiteRolloutState.Baking;

    /// <summary>Whether it has not started and may still start.</summary>
    public bool IsWaiting => State is SiteRolloutState.Pending or SiteRolloutState.WaitingForWindow or SiteRolloutState.WaitingForApproval;
}
