namespace Mothership.Ci.Releases;

/// <summary>
/// One pull request's release note, as the release-notes document takes it (Kubernetes'
/// <c>notes.ReleaseNote</c>, reduced to what the "Changes by Kind" document reads).
/// </summary>
public sealed record ReleaseNote
{
    /// <summary>The note's text (markdown), as the pull request's <c>```release-note</c> block holds it.</summary>
    public required string Markdown { get; init; }

    /// <summary>The pull request's number; with <see cref="Author"/>, the line ends <c>(#N, @author)</c>.</summary>
    public int? PullRequest { get; init; }

    /// <summary>The login of the pull request's author.</summary>
    public string? Author { get; init; }

    /// <summary>Its kinds, from its <c>kind/*</c> labels without the prefix (<c>bug</c>, <c>feature</c>…).</summary>
    public IReadOnlyList<string> Kinds { get; init; } = [];

    /// <summary>It carries <c>release-note-action-required</c>: the note goes under "Urgent Upgrade Notes".</summary>
    public bool ActionRequired { get; init; }

    /// <summary>
    /// Left out of the document (<c>release-note-none</c>, or no note at all) — still counted by
    /// <see cref="ReleaseVersion.Next"/>, since a feature without a note is still a feature.
    /// </summary>
    public bool DoNotPublish { get; init; }

    /// <summary>The line's text: the note with a leading run of <c>-</c>/<c>*</c> stripped, then <c>(#N, @author)</c> when both are known.</summary>
    public string Line()
    {
        var text = ReleaseNotesDocument.StripBullet(Markdown);
        return PullRequest is { } n && !string.IsNullOrEmpty(Author) ? $"{text} (#{n}, @{Author})" : text;
    }

    /// <summary>Field by field, the kinds by content (in order).</summary>
    public bool Equals(ReleaseNote? other) =>
        other is not null
        && (Markdown, PullRequest, Author, ActionRequired, DoNotPublish) == (other.Markdown, other.PullRequest, other.Author, other.ActionRequired, other.DoNotPublish)
        && Kinds.SequenceEqual(other.Kinds, StringComparer.Ordinal);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Markdown, PullRequest, Author, ActionRequired, DoNotPublish, Kinds.Count);
}
