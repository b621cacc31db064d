using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Mothership.Ci.Jobs;

namespace Mothership.Ci.Plugins.ReleaseNote;

/// <summary>
/// Prow's release note rules on a pull request's body, as pure functions: the note is the text of
/// its <c>```release-note</c> block (or of the block after "Release note**:" in Kubernetes' pull
/// request template); its label is <c>release-note</c>, <c>release-note-action-required</c> when
/// it says "action required", <c>release-note-none</c> when it is "NONE" or "no", and
/// <c>do-not-merge/release-note-label-needed</c> when there is none.
/// </summary>
public static class ReleaseNotes
{
    /// <summary>A pull request with a release note.</summary>
    public const string ReleaseNoteLabel = "release-note";

    /// <summary>A pull request whose note says users must act.</summary>
    public const string ActionRequiredLabel = "release-note-action-required";

    /// <summary>A pull request that needs no note.</summary>
    public const string NoneLabel = "release-note-none";

    /// <summary>A pull request whose note is missing.</summary>
    public const string LabelNeededLabel = "do-not-merge/release-note-label-needed";

    /// <summary>Deprecations always need a note (Prow's <c>labels.DeprecationLabel</c>).</summary>
    public const string DeprecationLabel = "kind/deprecation";

    /// <summary>The labels the plugin keeps exactly one of.</summary>
    public static readonly ImmutableArray<string> All = [NoneLabel, ActionRequiredLabel, LabelNeededLabel, ReleaseNoteLabel];

    private static readonly Regex NoteMatcher = GoRegex.Compile("(?s)(?:Release note\\*\\*:\\s*(?:<!--[^<>]*-->\\s*)?```(?:release-note)?|```release-note)(.+?)```");
    private static readonly Regex NoneNote = GoRegex.Compile(@"(?i)^\W*(NONE|NO)\W*$");

    /// <summary>The release note a pull request's body holds, trimmed; empty when it holds none (Prow's <c>getReleaseNote</c>).</summary>
    public static string Extract(string? body)
    {
        var match = NoteMatcher.Match(body ?? "");
        return match.Success ? match.Groups[1].Value.Trim() : "";
    }

    /// <summary>Whether a release note says the pull request needs none ("NONE", "no", with any punctuation).</summary>
    public static bool IsNone(string note) => NoneNote.IsMatch((note ?? "").Trim().ToLowerInvariant());

    /// <summary>
    /// The release note label a pull request with <paramref name="body"/> and <paramref name="labels"/>
    /// should carry (Prow's <c>determineReleaseNoteLabel</c>): a deprecation needs a real note, and
    /// a pull request without a block keeps <c>release-note-none</c> once it has it.
    /// </summary>
    public static string LabelFor(string? body, IReadOnlyCollection<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var note = Extract(body).ToLowerInvariant();
        var none = IsNone(note);
        var deprecation = labels.Contains(DeprecationLabel);
        return (note.Length == 0, none, deprecation) switch
        {
            (true, _, true) => LabelNeededLabel,
            (true, _, false) when labels.Contains(NoneLabel) => NoneLabel,
            (true, _, false) => LabelNeededLabel,
            (false, true, true) => LabelNeededLabel,
            (false, true, false) => NoneLabel,
            _ when note.Contains("action required", StringComparison.Ordinal) => ActionRequiredLabel,
            _ => ReleaseNoteLabel,
        };
    }
}
