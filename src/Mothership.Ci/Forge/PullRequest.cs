namespace Mothership.Ci.Forge;

/// <summary>What a CI bot needs of a pull request.</summary>
/// <param name="Number">Its number in the repository.</param>
/// <param name="Title">Its title.</param>
/// <param name="Author">The login of who opened it.</param>
/// <param name="State">Open or closed.</param>
/// <param name="Draft">Whether it is a draft.</param>
/// <param name="Merged">Whether it was merged.</param>
/// <param name="Mergeable">
/// Whether it merges cleanly into its base; null while the forge is still computing it (GitHub
/// starts that on the first read and answers null until done).
/// </param>
/// <param name="HeadSha">The commit at its head: what jobs test and statuses are set on.</param>
/// <param name="HeadRef">The branch of its head.</param>
/// <param name="BaseRef">The branch it merges into (Prow's <c>base_ref</c>).</param>
/// <param name="BaseSha">The commit of the base branch the forge compared against.</param>
public sealed record PullRequest(
    int Number,
    string Title,
    string Author,
    PullRequestState State,
    bool Draft,
    bool Merged,
    bool? Mergeable,
    string HeadSha,
    string HeadRef,
    string BaseRef,
    string BaseSha)
{
    /// <summary>The names of its labels (lists of pull requests carry them, so a pool needs no call per pull request).</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];

    /// <summary>The base repository's clone URL; empty when the forge did not say.</summary>
    public string CloneUri { get; init; } = "";

    /// <summary>The base repository's page; empty when the forge did not say.</summary>
    public string RepoLink { get; init; } = "";

    /// <summary>Its description (where its <c>```release-note</c> block is); empty when it has none or the forge did not say.</summary>
    public string Body { get; init; } = "";

    /// <summary>Field by field, the labels by content (in order).</summary>
    public bool Equals(PullRequest? other) =>
        other is not null
        && (Number, Title, Author, State, Draft, Merged, Mergeable, HeadSha, HeadRef, BaseRef, BaseSha, CloneUri, RepoLink, Body)
            == (other.Number, other.Title, other.Author, other.State, other.Draft, other.Merged, other.Mergeable, other.HeadSha, other.HeadRef, other.BaseRef, other.BaseSha, other.CloneUri, other.RepoLink, other.Body)
        && Labels.SequenceEqual(other.Labels, StringComparer.Ordinal);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Number, HeadSha, BaseRef, BaseSha, Labels.Count);
}
