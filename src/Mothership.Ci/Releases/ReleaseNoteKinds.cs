using System.Collections.Immutable;

namespace Mothership.Ci.Releases;

/// <summary>
/// Kubernetes' note kinds (<c>kind/&lt;kind&gt;</c> labels) and the document's sections: their
/// order, which kinds share a section, and each section's title (kubernetes/release
/// <c>pkg/notes/document</c>: <c>kindPriority</c>, <c>kindMap</c>, <c>prettyKind</c>).
/// </summary>
public static class ReleaseNoteKinds
{
    /// <summary>The label prefix a kind is read from.</summary>
    public const string LabelPrefix = "kind/";

    /// <summary>A deprecation.</summary>
    public const string Deprecation = "deprecation";

    /// <summary>An API change.</summary>
    public const string ApiChange = "api-change";

    /// <summary>A feature: bumps the minor version.</summary>
    public const string Feature = "feature";

    /// <summary>A design change.</summary>
    public const string Design = "design";

    /// <summary>Documentation.</summary>
    public const string Documentation = "documentation";

    /// <summary>A failing test fixed.</summary>
    public const string FailingTest = "failing-test";

    /// <summary>A bug fixed.</summary>
    public const string Bug = "bug";

    /// <summary>A regression fixed (shares the bug section).</summary>
    public const string Regression = "regression";

    /// <summary>A cleanup (shares the "Other" section with flakes).</summary>
    public const string Cleanup = "cleanup";

    /// <summary>A flaky test fixed.</summary>
    public const string Flake = "flake";

    /// <summary>The section of cleanups and flakes.</summary>
    public const string Other = "other";

    /// <summary>The section of notes of no known kind.</summary>
    public const string Uncategorized = "uncategorized";

    /// <summary>Kinds from highest priority to lowest: a note with several goes under the first it has.</summary>
    public static readonly ImmutableArray<string> Priority =
        [Deprecation, ApiChange, Feature, Design, Documentation, FailingTest, Bug, Regression, Cleanup, Flake];

    /// <summary>Sections in the document's order, each with its title.</summary>
    public static readonly ImmutableArray<(string Section, string Title)> Sections =
    [
        (Deprecation, "Deprecation"), (ApiChange, "API Change"), (Feature, "Feature"), (Design, "Design"),
        (Documentation, "Documentation"), (FailingTest, "Failing Test"), (Bug, "Bug or Regression"),
        (Other, "Other (Cleanup or Flake)"), (Uncategorized, "Uncategorized"),
    ];

    /// <summary>
    /// The section a note of <paramref name="kinds"/> goes under: its highest-priority known kind's
    /// (regression with bugs, cleanup and flake together); <see cref="Uncategorized"/> when it has none.
    /// Unknown kinds (<c>kind/support</c>…) are ignored, where upstream would open a section per kind.
    /// </summary>
    public static string SectionOf(IEnumerable<string> kinds)
    {
        ArgumentNullException.ThrowIfNull(kinds);
        var set = kinds.ToHashSet(StringComparer.Ordinal);
        foreach (var kind in Priority)
        {
            if (set.Contains(kind))
            {
                return kind switch
                {
                    Regression => Bug,
                    Cleanup or Flake => Other,
                    _ => kind,
                };
            }
        }

        return Uncategorized;
    }

    /// <summary>The kinds named by <c>kind/*</c> labels, without the prefix, in label order.</summary>
    public static IReadOnlyList<string> FromLabels(IEnumerable<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return [.. labels.Where(l => l.StartsWith(LabelPrefix, StringComparison.Ordinal) && l.Length > LabelPrefix.Length).Select(l => l[LabelPrefix.Length..]).Distinct(StringComparer.Ordinal)];
    }
}
