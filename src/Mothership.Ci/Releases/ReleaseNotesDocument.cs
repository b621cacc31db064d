using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Mothership.Ci.Releases;

/// <summary>
/// A release's notes in Kubernetes' "Changes by Kind" format (kubernetes/release
/// <c>pkg/notes/document</c>, its default template without downloads): action-required notes
/// under "Urgent Upgrade Notes", the others by section in <see cref="ReleaseNoteKinds.Sections"/>'
/// order, each under its highest-priority kind only, sorted ordinally within a section; notes
/// marked <see cref="ReleaseNote.DoNotPublish"/> left out. Pure: <see cref="Build"/> then
/// <see cref="ToMarkdown"/> or <see cref="ToJson"/>.
/// </summary>
/// <param name="ActionRequired">The urgent notes, ordered by their lines.</param>
/// <param name="Sections">The non-empty sections in order.</param>
public sealed partial record ReleaseNotesDocument(ImmutableArray<ReleaseNote> ActionRequired, ImmutableArray<ReleaseNoteSection> Sections)
{
    /// <summary>Sorts <paramref name="notes"/> into a document.</summary>
    public static ReleaseNotesDocument Build(IEnumerable<ReleaseNote> notes)
    {
        ArgumentNullException.ThrowIfNull(notes);
        var published = notes.Where(n => !n.DoNotPublish).ToList();
        var urgent = published.Where(n => n.ActionRequired).OrderBy(n => n.Line(), StringComparer.Ordinal).ToImmutableArray();
        var bySection = published.Where(n => !n.ActionRequired).ToLookup(n => ReleaseNoteKinds.SectionOf(n.Kinds), StringComparer.Ordinal);
        var sections = ReleaseNoteKinds.Sections
            .Where(s => bySection.Contains(s.Section))
            .Select(s => new ReleaseNoteSection(s.Section, s.Title, [.. bySection[s.Section].OrderBy(n => n.Line(), StringComparer.Ordinal)]))
            .ToImmutableArray();
        return new ReleaseNotesDocument(urgent, sections);
    }

    /// <summary>Whether it has nothing to say.</summary>
    public bool IsEmpty => ActionRequired.IsEmpty && Sections.IsEmpty;

    /// <summary>
    /// The markdown upstream's template renders, byte for byte (its stray spaces included: they are
    /// what Kubernetes' releases carry), ending with a newline; empty when there are no notes.
    /// </summary>
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        if (!ActionRequired.IsEmpty)
        {
            text.Append("## Urgent Upgrade Notes \n\n### (No, really, you MUST read this before you upgrade)\n\n");
            foreach (var note in ActionRequired)
            {
                text.Append("- ").Append(note.Line()).Append("\n ");
            }

            text.Append('\n');
        }

        if (!Sections.IsEmpty)
        {
            text.Append("## Changes by Kind\n");
            foreach (var section in Sections)
            {
                text.Append("\n### ").Append(section.Title).Append("\n\n");
                foreach (var line in section.Lines)
                {
                    text.Append("- ").Append(line).Append('\n');
                }
            }
        }

        var trimmed = text.ToString().Trim();
        return trimmed.Length == 0 ? "" : trimmed + "\n";
    }

    /// <summary>
    /// The document as JSON: <c>{"actionRequired": [note…], "sections": [{"kind", "title", "notes": [note…]}]}</c>,
    /// each note <c>{"pullRequest", "author", "kinds", "markdown", "line"}</c>.
    /// </summary>
    public string ToJson(bool indented = true)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented }))
        {
            json.WriteStartObject();
            json.WriteStartArray("actionRequired");
            foreach (var note in ActionRequired)
            {
                WriteNote(json, note);
            }

            json.WriteEndArray();
            json.WriteStartArray("sections");
            foreach (var section in Sections)
            {
                json.WriteStartObject();
                json.WriteString("kind", section.Kind);
                json.WriteString("title", section.Title);
                json.WriteStartArray("notes");
                foreach (var note in section.Notes)
                {
                    WriteNote(json, note);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>
    /// A note without its leading bullet: a run of <c>-</c> or <c>*</c> followed by white space
    /// (upstream's <c>^([-\*]+\s+)</c>, with Go's ASCII <c>\s</c>), so <c>- --flag</c> keeps <c>--flag</c>.
    /// </summary>
    public static string StripBullet(string markdown) => Bullet().Replace(markdown ?? "", "", 1);

    /// <summary>Field by field, the notes and sections by content.</summary>
    public bool Equals(ReleaseNotesDocument? other) =>
        other is not null && ActionRequired.SequenceEqual(other.ActionRequired) && Sections.SequenceEqual(other.Sections);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(ActionRequired.Length, Sections.Length);

    private static void WriteNote(Utf8JsonWriter json, ReleaseNote note)
    {
        json.WriteStartObject();
        if (note.PullRequest is { } pr)
        {
            json.WriteNumber("pullRequest", pr);
        }
        else
        {
            json.WriteNull("pullRequest");
        }

        json.WriteString("author", note.Author);
        json.WriteStartArray("kinds");
        foreach (var kind in note.Kinds)
        {
            json.WriteStringValue(kind);
        }

        json.WriteEndArray();
        json.WriteString("markdown", note.Markdown);
        json.WriteString("line", note.Line());
        json.WriteEndObject();
    }

    [GeneratedRegex(@"^[-*]+[\t\n\f\r ]+", RegexOptions.CultureInvariant)]
    private static partial Regex Bullet();
}
