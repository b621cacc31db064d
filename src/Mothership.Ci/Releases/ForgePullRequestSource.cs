using Mothership.Ci.Forge;
using Mothership.Store;

namespace Mothership.Ci.Releases;

/// <summary>Pull requests as the forge answers them (GitHub through <see cref="IForge"/>).</summary>
public sealed class ForgePullRequestSource(IForge forge) : IPullRequestSource
{
    /// <inheritdoc />
    public async Task<PullRequestRecord?> GetAsync(RepositoryName repository, int number, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var pr = await forge.GetPullRequestAsync(repository, number, cancellationToken).ConfigureAwait(false);
        return pr is null ? null : new PullRequestRecord
        {
            Repository = repository.ToString(),
            Number = pr.Number,
            Title = pr.Title,
            Body = pr.Body,
            Author = pr.Author,
            Labels = pr.Labels,
        };
    }
}
