using Mothership.Ci.Forge;

namespace Mothership.Ci.Promotion;

/// <summary>
/// What the deploy plugin asks of whoever runs site deploys (the server): which label deploys a
/// site, start and stop a site's deploy, and point a site's deployment pull request at a revision.
/// </summary>
public interface ISiteDeployments
{
    /// <summary>The label that starts <paramref name="site"/>'s deploy from its deployment pull request; null when the site is unknown or its environment is not promoted by pull requests.</summary>
    Task<string?> LabelForAsync(string site, CancellationToken cancellationToken);

    /// <summary>Starts the deploy <paramref name="trigger"/> asks for (at most one per site runs).</summary>
    Task<DeployStart> StartAsync(DeployTrigger trigger, CancellationToken cancellationToken);

    /// <summary>Stops <paramref name="site"/>'s running deploy gracefully (services deploying finish, nothing new starts); the run stopped, or null when none was running.</summary>
    Task<string?> StopAsync(string site, string actor, CancellationToken cancellationToken);

    /// <summary>
    /// Opens or updates <paramref name="site"/>'s deployment pull request to propose
    /// <paramref name="revision"/> (older than the deployed one: a rollback). What a user can get
    /// wrong (an unknown revision, a site deployed on demand) comes back as the proposal's message,
    /// not as an exception.
    /// </summary>
    Task<DeployProposal> ProposeAsync(string site, string revision, string actor, CancellationToken cancellationToken);
}
