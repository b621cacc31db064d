using Mothership.Ci.Forge;

namespace Mothership.Ci.Promotion;

/// <summary>What became of a request to point a site's deployment pull request at a revision.</summary>
/// <param name="PullRequest">The deployment pull request now proposing the revision; null when none was opened or changed.</param>
/// <param name="Message">Why nothing was proposed (the revision names no commit, the site is deployed on demand, the site repository cannot be read…); null when <paramref name="PullRequest"/> is set.</param>
public sealed record DeployProposal(PullRequest? PullRequest, string? Message = null);
