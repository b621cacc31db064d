using System.Net.Http;
using Mothership.Ci.Forge;
using Mothership.Store;

namespace Mothership.Ci.Releases;

/// <summary>
/// The forge first; once it cannot be reached (a connection that fails or times out), the
/// fallback (the server's store) for this and every later pull request, so a release-notes run
/// without network pays the failure once. Other failures (refused credentials, rate limits) are
/// not hidden: they propagate.
/// </summary>
public sealed class FallbackPullRequestSource(IPullRequestSource primary, IPullRequestSource fallback, Action<Exception>? fellBack = null) : IPullRequestSource
{
    private int _unreachable;

    /// <summary>Whether the primary source was found unreachable.</summary>
    public bool FellBack => Volatile.Read(ref _unreachable) == 1;

    /// <inheritdoc />
    public async Task<PullRequestRecord?> GetAsync(RepositoryName repository, int number, CancellationToken cancellationToken)
    {
        if (!FellBack)
        {
            try
            {
                return await primary.GetAsync(repository, number, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (IsUnreachable(e, cancellationToken))
            {
                if (Interlocked.Exchange(ref _unreachable, 1) == 0)
                {
                    fellBack?.Invoke(e);
                }
            }
        }

        return await fallback.GetAsync(repository, number, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A failure to reach the source at all: no connection, or no answer in time (not a cancellation asked for).</summary>
    public static bool IsUnreachable(Exception e, CancellationToken cancellationToken) => e switch
    {
        HttpRequestException => true,
        TaskCanceledException or TimeoutException => !cancellationToken.IsCancellationRequested,
        _ => e.InnerException is { } inner && IsUnreachable(inner, cancellationToken),
    };
}
