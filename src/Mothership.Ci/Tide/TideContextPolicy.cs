using System.Collections.Immutable;

namespace Mothership.Ci.Tide;

/// <summary>
/// Prow's <c>TideContextPolicy</c>: which status contexts must succeed besides the repository's
/// required presubmits. A more specific policy (org, repo, branch) adds its lists to the general
/// one's and overrides its flags.
/// </summary>
public sealed record TideContextPolicy
{
    /// <summary>No contexts, no flags.</summary>
    public static TideContextPolicy Empty { get; } = new();

    /// <summary>Contexts that must succeed, ours or another system's.</summary>
    public ImmutableArray<string> RequiredContexts { get; init; } = [];

    /// <summary>Contexts that must succeed when they are reported at all.</summary>
    public ImmutableArray<string> RequiredIfPresentContexts { get; init; } = [];

    /// <summary>Contexts never required, even when a presubmit of that context is.</summary>
    public ImmutableArray<string> OptionalContexts { get; init; } = [];

    /// <summary>
    /// Whether contexts neither required nor optional are ignored; null when not written (Prow's
    /// default, false: a failing unknown context blocks).
    /// </summary>
    public bool? SkipUnknownContexts { get; init; }

    /// <summary>Prow reads required contexts from branch protection; accepted, and the pool does not read branch protection.</summary>
    public bool? FromBranchProtection { get; init; }

    /// <summary>This policy with <paramref name="specific"/>'s lists added and its flags, where written, winning.</summary>
    public TideContextPolicy With(TideContextPolicy specific)
    {
        ArgumentNullException.ThrowIfNull(specific);
        return new TideContextPolicy
        {
            RequiredContexts = [.. RequiredContexts.Union(specific.RequiredContexts, StringComparer.Ordinal)],
            RequiredIfPresentContexts = [.. RequiredIfPresentContexts.Union(specific.RequiredIfPresentContexts, StringComparer.Ordinal)],
            OptionalContexts = [.. OptionalContexts.Union(specific.OptionalContexts, StringComparer.Ordinal)],
            SkipUnknownContexts = specific.SkipUnknownContexts ?? SkipUnknownContexts,
            FromBranchProtection = specific.FromBranchProtection ?? FromBranchProtection,
        };
    }
}
