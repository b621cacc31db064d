namespace Mothership.Ci.Jobs;

/// <summary>A job run on pushes to a branch (Prow's <c>Postsubmit</c>), with Prow's decision on when it runs.</summary>
public sealed record Postsubmit : ProwJob
{
    /// <summary><c>always_run</c> as written: null when absent, which means run (postsubmits run by default).</summary>
    public bool? AlwaysRun { get; init; }

    /// <summary>The GitHub status context; default the job's name.</summary>
    public required string Context { get; init; }

    /// <summary>Neither a status nor a comment is written for it.</summary>
    public bool SkipReport { get; init; }

    public Brancher Brancher { get; init; } = Brancher.All;

    public ChangeMatcher Changes { get; init; } = ChangeMatcher.None;

    /// <summary>Whether it may run on a push to <paramref name="branch"/>.</summary>
    public bool CouldRun(string branch) => Brancher.ShouldRun(branch);

    /// <summary>
    /// Prow's <c>Postsubmit.ShouldRun</c>: never on a branch its brancher excludes; else as its
    /// changes regex says when it has one; else <c>always_run</c> as written, true when absent.
    /// <paramref name="changedFiles"/> is called only when the changes decide.
    /// </summary>
    public bool ShouldRun(string branch, Func<IReadOnlyList<string>> changedFiles)
    {
        if (!CouldRun(branch))
        {
            return false;
        }

        var (determined, shouldRun) = Changes.Decide(changedFiles);
        return determined ? shouldRun : AlwaysRun ?? true;
    }

    /// <inheritdoc cref="ShouldRun(string, Func{IReadOnlyList{string}})"/>
    public bool ShouldRun(string branch, IReadOnlyList<string> changedFiles) => ShouldRun(branch, () => changedFiles);
}
