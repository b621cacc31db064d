using System.Collections.Immutable;
using System.Text.RegularExpressions;

namespace Mothership.Ci.Jobs;

/// <summary>
/// A job's <c>branches</c> and <c>skip_branches</c>, as Prow's <c>Brancher</c>: each list is
/// joined with <c>|</c> into one regex that may match anywhere in the branch name (Prow does not
/// anchor them; write <c>^main$</c> for exactly <c>main</c>); <c>skip_branches</c> wins; no list
/// at all means every branch.
/// </summary>
public sealed record Brancher
{
    private readonly Regex? _branches;
    private readonly Regex? _skip;

    /// <summary>An empty brancher: every branch.</summary>
    public static Brancher All { get; } = new([], [], null, null);

    internal Brancher(ImmutableArray<string> branches, ImmutableArray<string> skipBranches, Regex? branchesRegex, Regex? skipRegex)
    {
        Branches = branches;
        SkipBranches = skipBranches;
        _branches = branchesRegex;
        _skip = skipRegex;
    }

    /// <summary>Only these branches (regexes); empty means all.</summary>
    public ImmutableArray<string> Branches { get; }

    /// <summary>Never these branches (regexes); wins over <see cref="Branches"/>.</summary>
    public ImmutableArray<string> SkipBranches { get; }

    /// <summary>Neither list is set.</summary>
    public bool RunsAgainstAllBranches => Branches.IsEmpty && SkipBranches.IsEmpty;

    /// <summary>Whether a job with this brancher runs against <paramref name="branch"/>.</summary>
    public bool ShouldRun(string branch)
    {
        ArgumentNullException.ThrowIfNull(branch);
        if (RunsAgainstAllBranches)
        {
            return true;
        }

        if (_skip is not null && _skip.IsMatch(branch))
        {
            return false;
        }

        return _branches is null || _branches.IsMatch(branch);
    }

    /// <summary>
    /// Whether a job with <paramref name="other"/> could run against a branch this one runs
    /// against, as Prow's <c>Brancher.Intersects</c> (used to find two jobs of one name or context).
    /// </summary>
    public bool Intersects(Brancher other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (RunsAgainstAllBranches || other.RunsAgainstAllBranches)
        {
            return true;
        }

        if (!Branches.IsEmpty)
        {
            return other.Branches.IsEmpty ? Branches.Any(other.ShouldRun) : Branches.Intersect(other.Branches, StringComparer.Ordinal).Any();
        }

        // Only skip_branches here: two such jobs meet on some branch; else ask the other way round.
        return other.Branches.IsEmpty || other.Intersects(this);
    }

    /// <summary>Compares the lists as written (the compiled regexes follow from them).</summary>
    public bool Equals(Brancher? other) =>
        other is not null && Branches.SequenceEqual(other.Branches, StringComparer.Ordinal) && SkipBranches.SequenceEqual(other.SkipBranches, StringComparer.Ordinal);

    public override int GetHashCode() => HashCode.Combine(string.Join('|', Branches), string.Join('|', SkipBranches));
}
