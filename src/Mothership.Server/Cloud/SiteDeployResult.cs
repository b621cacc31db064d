using Mothership.Store;

namespace Mothership.Server.Cloud;

/// <summary>How <see cref="SiteDeployIntake.StartAsync"/> answered.</summary>
internal enum SiteDeployAnswer
{
    /// <summary>The deploy and its run are stored; the run is queued.</summary>
    Started,

    /// <summary>No site repository is configured, or it has no such site.</summary>
    UnknownSite,

    /// <summary>The revision names no commit, or the site cannot be planned there (<see cref="SiteDeployResult.Message"/>).</summary>
    Invalid,

    /// <summary>Another deploy of the site runs (<see cref="SiteDeployResult.Active"/>).</summary>
    Busy,
}

/// <summary>The answer to a deploy request: the deploy started, or why not.</summary>
internal sealed record SiteDeployResult(SiteDeployAnswer Answer, SiteDeploy? Deploy = null, RunRecord? Run = null, string? Message = null, SiteDeploy? Active = null);
