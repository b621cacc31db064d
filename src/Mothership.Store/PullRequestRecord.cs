namespace Mothership.Store;

/// <summary>
/// A pull request as its last <c>pull_request</c> webhook showed it: kept so that release notes
/// can be written from merge commits when the forge cannot be reached. Upserted by
/// (<see cref="Repository"/>, <see cref="Number"/>): the last delivery handled wins.
/// </summary>
public sealed record PullRequestRecord
{
    /// <summary><c>owner/name</c> of the base repository.</summary>
    public required string Repository { get; init; }

    /// <summary>Its number.</summary>
    public required int Number { get; init; }

    public string Title { get; init; } = "";

    /// <summary>Its description (where the <c>```release-note</c> block is); empty when it has none.</summary>
    public string Body { get; init; } = "";

    /// <summary>The login of who opened it.</summary>
    public string Author { get; init; } = "";

    /// <summary>Its labels' names.</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];

    /// <summary>The commit its merge made; null while not merged.</summary>
    public string? MergeCommitSha { get; init; }

    /// <summary>When it was merged; null while not merged.</summary>
    public DateTimeOffset? MergedAt { get; init; }

    /// <summary>When it was last recorded.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Field by field, the labels by content (in order).</summary>
    public bool Equals(PullRequestRecord? other) =>
        other is not null
        && (Repository, Number, Title, Body, Author, MergeCommitSha, MergedAt, UpdatedAt)
            == (other.Repository, other.Number, other.Title, other.Body, other.Author, other.MergeCommitSha, other.MergedAt, other.UpdatedAt)
        && Labels.SequenceEqual(other.Labels, StringComparer.Ordinal);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Repository, Number, Title, Labels.Count);
}
