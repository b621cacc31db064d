namespace Mothership.Ci.Releases;

/// <summary>What gathering a range found: a note per pull request found, and the numbers no source knew.</summary>
/// <param name="Notes">One note per merged pull request found, newest merge first (those not to publish included, marked).</param>
/// <param name="Missing">Pull requests the range merged that the source did not know, newest first.</param>
public sealed record GatheredReleaseNotes(IReadOnlyList<ReleaseNote> Notes, IReadOnlyList<int> Missing)
{
    /// <summary>The "Changes by Kind" document of <see cref="Notes"/>.</summary>
    public ReleaseNotesDocument Document() => ReleaseNotesDocument.Build(Notes);

    /// <summary>Field by field, the lists by content.</summary>
    public bool Equals(GatheredReleaseNotes? other) =>
        other is not null && Notes.SequenceEqual(other.Notes) && Missing.SequenceEqual(other.Missing);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Notes.Count, Missing.Count);
}
