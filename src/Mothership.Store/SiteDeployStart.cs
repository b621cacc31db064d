namespace Mothership.Store;

/// <summary>What <see cref="IRunStore.StartSiteDeployAsync"/> did.</summary>
public enum SiteDeployOutcome
{
    /// <summary>The deploy and its run are stored, and the site's deploy lock is the deploy's.</summary>
    Started,

    /// <summary>Another deploy of the site holds the lock (<see cref="SiteDeployStart.Active"/>); nothing was written.</summary>
    Busy,

    /// <summary>A run of that name exists; nothing was written.</summary>
    NameTaken,
}

/// <summary>The outcome of starting a deploy, with the deploy that holds the site when <see cref="SiteDeployOutcome.Busy"/>.</summary>
public sealed record SiteDeployStart(SiteDeployOutcome Outcome, SiteDeploy? Active = null);
