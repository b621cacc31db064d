namespace Mothership.Cloud.Rollouts;

/// <summary>Where one site is in a rollout.</summary>
public enum SiteRolloutState
{
    /// <summary>Not started; its wave has not begun, or it waits for a free slot of <c>maxParallelSites</c>.</summary>
    Pending,

    /// <summary>Its wave may start but the change windows are closed.</summary>
    WaitingForWindow,

    /// <summary>Its wave waits for an approval of its gate.</summary>
    WaitingForApproval,

    /// <summary>Its deploy runs.</summary>
    Deploying,

    /// <summary>Deployed; waiting out the bake time or its bake check runs.</summary>
    Baking,

    /// <summary>Deployed (and baked): done.</summary>
    Succeeded,

    /// <summary>Its deploy or bake check failed; a retry makes it pending again.</summary>
    Failed,

    /// <summary>Not started because the rollout halted; pending again if the halt lifts.</summary>
    Halted,

    /// <summary>Not started because the rollout was aborted: done.</summary>
    Skipped,
}
