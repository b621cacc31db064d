using System.Collections.Immutable;

namespace Mothership.Ci.Releases;

/// <summary>One "Changes by Kind" section: its kind (see <see cref="ReleaseNoteKinds.Sections"/>), its title and its notes in order.</summary>
/// <param name="Kind">The section's kind (<c>bug</c>, <c>other</c>, <c>uncategorized</c>…).</param>
/// <param name="Title">Its heading (<c>Bug or Regression</c>).</param>
/// <param name="Notes">Its notes, ordered by their lines (ordinal, as Go's <c>sort.Strings</c>).</param>
public sealed record ReleaseNoteSection(string Kind, string Title, ImmutableArray<ReleaseNote> Notes)
{
    /// <summary>The lines, without the leading <c>- </c>.</summary>
    public IEnumerable<string> Lines => Notes.Select(n => n.Line());

    /// <summary>Field by field, the notes by content.</summary>
    public bool Equals(ReleaseNoteSection? other) =>
        other is not null && Kind == other.Kind && Title == other.Title && Notes.SequenceEqual(other.Notes);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Kind, Title, Notes.Length);
}
