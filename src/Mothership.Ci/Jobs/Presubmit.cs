using System.Text.RegularExpressions;

namespace Mothership.Ci.Jobs;

/// <summary>A job run on pull requests (Prow's <c>Presubmit</c>), with Prow's decisions on when it runs.</summary>
public sealed record Presubmit : ProwJob
{
    /// <summary>Runs on every pull request (against a matching branch) without being asked.</summary>
    public bool AlwaysRun { get; init; }

    /// <summary>Its status is not required for merge.</summary>
    public bool Optional { get; init; }

    /// <summary>The regex a comment must match to start it; default <see cref="TriggerCommands.DefaultTriggerFor"/>.</summary>
    public required string Trigger { get; init; }

    /// <summary>The command offered to users; it matches <see cref="Trigger"/>. Default <c>/test NAME</c>.</summary>
    public required string RerunCommand { get; init; }

    /// <summary>Prow's <c>run_before_merge</c>: Tide runs it before merging even when not triggered.</summary>
    public bool RunBeforeMerge { get; init; }

    /// <summary>The GitHub status context; default the job's name.</summary>
    public required string Context { get; init; }

    /// <summary>Neither a status nor a comment is written for it.</summary>
    public bool SkipReport { get; init; }

    /// <summary>The most <see cref="FlakeRetries"/> a job may set.</summary>
    public const int MaxFlakeRetries = 3;

    /// <summary>
    /// Mothership's <c>flake_retries</c>: how many times a failed run of this required job is
    /// started again on the same commit without being asked, before the failure stands. Default 0.
    /// </summary>
    public int FlakeRetries { get; init; }

    public Brancher Brancher { get; init; } = Brancher.All;

    public ChangeMatcher Changes { get; init; } = ChangeMatcher.None;

    /// <summary>The compiled <see cref="Trigger"/>.</summary>
    internal Regex? TriggerRegex { get; init; }

    /// <summary>Whether it may run against <paramref name="baseBranch"/> (Prow's <c>CouldRun</c>).</summary>
    public bool CouldRun(string baseBranch) => Brancher.ShouldRun(baseBranch);

    /// <summary>
    /// Prow's <c>Presubmit.ShouldRun</c>: never against a branch its brancher excludes; always when
    /// <see cref="AlwaysRun"/> or <paramref name="forced"/>; else when its changes regex says so,
    /// or else <paramref name="defaults"/>. <paramref name="changedFiles"/> is called only when the
    /// changes decide.
    /// </summary>
    public bool ShouldRun(string baseBranch, Func<IReadOnlyList<string>> changedFiles, bool forced, bool defaults)
    {
        if (!CouldRun(baseBranch))
        {
            return false;
        }

        if (AlwaysRun || forced)
        {
            return true;
        }

        var (determined, shouldRun) = Changes.Decide(changedFiles);
        return (determined && shouldRun) || defaults;
    }

    /// <inheritdoc cref="ShouldRun(string, Func{IReadOnlyList{string}}, bool, bool)"/>
    public bool ShouldRun(string baseBranch, IReadOnlyList<string> changedFiles, bool forced, bool defaults) =>
        ShouldRun(baseBranch, () => changedFiles, forced, defaults);

    /// <summary>It runs only when a comment asks: neither <see cref="AlwaysRun"/> nor a changes regex.</summary>
    public bool NeedsExplicitTrigger => !AlwaysRun && !Changes.CouldRun;

    /// <summary>It may or may not run on a given pull request.</summary>
    public bool TriggersConditionally => NeedsExplicitTrigger || Changes.CouldRun;

    /// <summary>GitHub must see its context succeed before merging.</summary>
    public bool ContextRequired => !Optional && !SkipReport;

    /// <summary>Whether the comment <paramref name="body"/> asks for this job.</summary>
    public bool TriggerMatches(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return TriggerRegex is not null && TriggerRegex.IsMatch(body);
    }
}
