using System.Text.RegularExpressions;

namespace Mothership.Ci.Jobs;

/// <summary>
/// A job's <c>run_if_changed</c> or <c>skip_if_only_changed</c> (at most one of them), as Prow's
/// <c>RegexpChangeMatcher</c>: the regex may match anywhere in a changed file's path.
/// </summary>
public sealed record ChangeMatcher
{
    private readonly Regex? _regex;

    /// <summary>Neither field set: the changes decide nothing.</summary>
    public static ChangeMatcher None { get; } = new(null, null, null);

    internal ChangeMatcher(string? runIfChanged, string? skipIfOnlyChanged, Regex? regex)
    {
        RunIfChanged = runIfChanged;
        SkipIfOnlyChanged = skipIfOnlyChanged;
        _regex = regex;
    }

    /// <summary>Run when any changed file matches.</summary>
    public string? RunIfChanged { get; }

    /// <summary>Run unless every changed file matches.</summary>
    public string? SkipIfOnlyChanged { get; }

    /// <summary>Whether the changes can decide (Prow's <c>CouldRun</c>): one of the regexes is set.</summary>
    public bool CouldRun => _regex is not null;

    /// <summary>
    /// Whether <paramref name="changedFiles"/> make the job run (Prow's <c>RunsAgainstChanges</c>):
    /// with <c>run_if_changed</c>, any file matching; with <c>skip_if_only_changed</c>, any file not
    /// matching. No changes at all never run it.
    /// </summary>
    public bool RunsAgainstChanges(IEnumerable<string> changedFiles)
    {
        ArgumentNullException.ThrowIfNull(changedFiles);
        if (_regex is null)
        {
            return false;
        }

        var skipMode = RunIfChanged is null;
        return changedFiles.Any(file => _regex.IsMatch(file) != skipMode);
    }

    /// <summary>
    /// Prow's <c>RegexpChangeMatcher.ShouldRun</c>: whether the changes determine the outcome and,
    /// if so, that outcome. <paramref name="changedFiles"/> is only called when they do (listing a
    /// pull request's files costs an API call).
    /// </summary>
    public (bool Determined, bool ShouldRun) Decide(Func<IReadOnlyList<string>> changedFiles)
    {
        ArgumentNullException.ThrowIfNull(changedFiles);
        return CouldRun ? (true, RunsAgainstChanges(changedFiles())) : (false, false);
    }

    /// <summary>Compares the regexes as written.</summary>
    public bool Equals(ChangeMatcher? other) =>
        other is not null && RunIfChanged == other.RunIfChanged && SkipIfOnlyChanged == other.SkipIfOnlyChanged;

    public override int GetHashCode() => HashCode.Combine(RunIfChanged, SkipIfOnlyChanged);
}
