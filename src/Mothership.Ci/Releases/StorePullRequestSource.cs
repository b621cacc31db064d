using Mothership.Ci.Forge;
using Mothership.Store;

namespace Mothership.Ci.Releases;

/// <summary>Pull requests as the CI bot recorded them from their webhooks (<see cref="PullRequestRecorder"/>).</summary>
public sealed class StorePullRequestSource(IRunStore store) : IPullRequestSource
{
    /// <inheritdoc />
    public Task<PullRequestRecord?> GetAsync(RepositoryName repository, int number, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return store.GetPullRequestAsync(repository.ToString(), number, cancellationToken);
    }
}
