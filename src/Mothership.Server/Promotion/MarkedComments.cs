using Mothership.Ci.Forge;

namespace Mothership.Server.Promotion;

/// <summary>
/// Comments posted once per pull request and event: each ends with a hidden mark
/// (<c>&lt;!-- mothership:… --&gt;</c>), and one is not posted again while a comment with its mark
/// is there (after a restart, or when the same event is handled twice).
/// </summary>
internal static class MarkedComments
{
    /// <summary>Whether a comment of <paramref name="number"/> carries <paramref name="mark"/>.</summary>
    public static async Task<bool> ExistsAsync(IForge forge, RepositoryName repository, int number, string mark, CancellationToken cancellationToken) =>
        (await forge.ListCommentsAsync(repository, number, cancellationToken).ConfigureAwait(false)).Any(c => c.Body.Contains(mark, StringComparison.Ordinal));

    /// <summary>Posts <paramref name="text"/> with <paramref name="mark"/> on a line of its own at the end.</summary>
    public static Task CreateAsync(IForge forge, RepositoryName repository, int number, string text, string mark, CancellationToken cancellationToken) =>
        forge.CreateCommentAsync(repository, number, text.TrimEnd('\n') + "\n" + mark + "\n", cancellationToken);
}
