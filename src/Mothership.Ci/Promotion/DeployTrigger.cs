using Mothership.Ci.Forge;

namespace Mothership.Ci.Promotion;

/// <summary>A deploy asked for from a deployment pull request.</summary>
/// <param name="Site">The site.</param>
/// <param name="Revision">The revision its pin file names.</param>
/// <param name="Actor">Who added the label (a GitHub login).</param>
/// <param name="Repository">The site repository on GitHub.</param>
/// <param name="PullRequest">The deployment pull request's number.</param>
/// <param name="HeadSha">The pull request's head, where the deploy's status goes.</param>
public sealed record DeployTrigger(string Site, string Revision, string Actor, RepositoryName Repository, int PullRequest, string HeadSha);
