using Mothership.Ci.Forge;
using Mothership.Store;

namespace Mothership.Ci.Releases;

/// <summary>Where release notes read a merged pull request's body, labels and author: the forge, or the server's store.</summary>
public interface IPullRequestSource
{
    /// <summary>The pull request; null when the source knows none with that number.</summary>
    Task<PullRequestRecord?> GetAsync(RepositoryName repository, int number, CancellationToken cancellationToken);
}
