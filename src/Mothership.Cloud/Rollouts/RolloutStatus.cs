namespace Mothership.Cloud.Rollouts;

/// <summary>Where a whole rollout is.</summary>
public enum RolloutStatus
{
    /// <summary>Deploying, or waiting for a window, an approval or a bake.</summary>
    Running,

    /// <summary>Paused by someone: deploys under way finish, nothing new starts until resumed.</summary>
    Paused,

    /// <summary>A failure stopped it: nothing new starts; retrying the failed sites lifts the halt, or abort ends it.</summary>
    Halted,

    /// <summary>Aborted: sites not started are skipped.</summary>
    Aborted,

    /// <summary>Every site succeeded.</summary>
    Succeeded,

    /// <summary>Every site finished, some failed within the failure budget.</summary>
    SucceededWithFailures,
}
