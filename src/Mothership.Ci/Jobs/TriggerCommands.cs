using System.Text.RegularExpressions;

namespace Mothership.Ci.Jobs;

/// <summary>
/// The comment commands that start presubmits, as Prow's trigger plugin reads them (its
/// <c>pjutil</c> regexes, filters and help): <c>/test NAME</c>, <c>/test all</c>, <c>/test ?</c>.
/// <c>/retest</c> needs the pull request's statuses and is decided elsewhere; its regexes are here.
/// </summary>
public static class TriggerCommands
{
    /// <summary><c>/test all</c>: the jobs that would run on their own.</summary>
    public static Regex TestAll { get; } = GoRegex.Compile(@"(?m)^/test all,?($|\s.*)");

    /// <summary><c>/retest</c>: the failed jobs again.</summary>
    public static Regex Retest { get; } = GoRegex.Compile(@"(?m)^/retest\s*$");

    /// <summary><c>/retest-required</c>: the failed required jobs again.</summary>
    public static Regex RetestRequired { get; } = GoRegex.Compile(@"(?m)^/retest-required\s*$");

    /// <summary><c>/test-manual-required</c>.</summary>
    public static Regex TestManualRequired { get; } = GoRegex.Compile(@"(?m)^/test-manual-required\s*$");

    /// <summary><c>/ok-to-test</c>: a member vouches for an outsider's pull request.</summary>
    public static Regex OkToTest { get; } = GoRegex.Compile(@"(?m)^/ok-to-test\s*$");

    /// <summary><c>/ok-to-test cancel</c>.</summary>
    public static Regex OkToTestCancel { get; } = GoRegex.Compile(@"(?m)^/ok-to-test\s+cancel\s*$");

    /// <summary><c>/test ?</c>: list the commands.</summary>
    public static Regex TestHelp { get; } = GoRegex.Compile(@"(?m)^/test[ \t]*\?\s*$");

    /// <summary><c>/test</c> with no target.</summary>
    public static Regex EmptyTest { get; } = GoRegex.Compile(@"(?m)^/test\s*$");

    /// <summary><c>/retest TARGET</c>, which <c>/retest</c> does not take.</summary>
    public static Regex RetestWithTarget { get; } = GoRegex.Compile(@"(?m)^/retest[ \t]+\S+");

    /// <summary><c>/test TARGET</c>, whatever the target.</summary>
    public static Regex TestWithAnyTarget { get; } = GoRegex.Compile(@"(?m)^/test[ \t]+\S+");

    /// <summary>Prow's note when <c>/test</c> has no target.</summary>
    public const string TestWithoutTargetNote = "The `/test` command needs one or more targets.\n";

    /// <summary>Prow's note when <c>/retest</c> has one.</summary>
    public const string RetestWithTargetNote = "The `/retest` command does not accept any targets.\n";

    /// <summary>Prow's note when no job matches <c>/test TARGET</c>.</summary>
    public const string TargetNotFoundNote = "The specified target(s) for `/test` were not found.\n";

    /// <summary>Prow's note when <c>/test all</c> finds no job.</summary>
    public const string ThereAreNoTestAllJobsNote = "No jobs can be run with `/test all`.\n";

    /// <summary>
    /// Prow's default trigger for a job: <c>(?m)^/test( | .* )NAME,?($|\s.*)</c> — <c>/test</c>
    /// then, among space-separated words, the name (a comma may follow). The name is regex-quoted
    /// (Prow inserts it as is, so its dots match any character).
    /// </summary>
    public static string DefaultTriggerFor(string name) => $@"(?m)^/test( | .* ){Regex.Escape(name)},?($|\s.*)";

    /// <summary>Prow's default rerun command: <c>/test NAME</c>.</summary>
    public static string DefaultRerunCommandFor(string name) => $"/test {name}";

    /// <summary>
    /// The presubmits a comment starts on a pull request against <paramref name="baseBranch"/>, as
    /// Prow's trigger plugin filters them without <c>/retest</c>: a job whose trigger matches runs
    /// (forced) when its branches allow; with <c>/test all</c> (or, when
    /// <paramref name="okToTest"/>, <c>/ok-to-test</c>) so does every job that would run on its
    /// own for these changes. <paramref name="changedFiles"/> is called at most when needed.
    /// </summary>
    public static IReadOnlyList<Presubmit> Triggered(IEnumerable<Presubmit> presubmits, string body, string baseBranch, Func<IReadOnlyList<string>> changedFiles, bool okToTest = false)
    {
        ArgumentNullException.ThrowIfNull(presubmits);
        ArgumentNullException.ThrowIfNull(body);
        var files = Once(changedFiles);
        var testAll = TestAll.IsMatch(body) || (okToTest && OkToTest.IsMatch(body));
        var result = new List<Presubmit>();
        foreach (var job in presubmits)
        {
            bool run;
            if (job.TriggerMatches(body))
            {
                run = job.ShouldRun(baseBranch, files, forced: true, defaults: true);
            }
            else if (testAll && !job.NeedsExplicitTrigger)
            {
                run = job.ShouldRun(baseBranch, files, forced: false, defaults: false);
            }
            else
            {
                continue;
            }

            if (run)
            {
                result.Add(job);
            }
        }

        return result;
    }

    /// <inheritdoc cref="Triggered(IEnumerable{Presubmit}, string, string, Func{IReadOnlyList{string}}, bool)"/>
    public static IReadOnlyList<Presubmit> Triggered(IEnumerable<Presubmit> presubmits, string body, string baseBranch, IReadOnlyList<string> changedFiles, bool okToTest = false) =>
        Triggered(presubmits, body, baseBranch, () => changedFiles, okToTest);

    /// <summary>
    /// What <c>/test ?</c> lists for a pull request against <paramref name="baseBranch"/> (Prow's
    /// <c>AvailablePresubmits</c>): the jobs <c>/test all</c> would start, and the rerun commands
    /// of the jobs the branch allows, required and optional apart.
    /// </summary>
    public static AvailableTests Available(IEnumerable<Presubmit> presubmits, string baseBranch, Func<IReadOnlyList<string>> changedFiles)
    {
        ArgumentNullException.ThrowIfNull(presubmits);
        var files = Once(changedFiles);
        var testAll = new SortedSet<string>(StringComparer.Ordinal);
        var required = new SortedSet<string>(StringComparer.Ordinal);
        var optional = new SortedSet<string>(StringComparer.Ordinal);
        var jobs = presubmits.ToList();
        foreach (var job in jobs)
        {
            if (!job.NeedsExplicitTrigger && job.ShouldRun(baseBranch, files, forced: false, defaults: false))
            {
                testAll.Add(job.Name);
            }

            // Prow asks which jobs any job's rerun command starts: normally the job itself.
            if (jobs.Any(other => job.TriggerMatches(other.RerunCommand)) && job.CouldRun(baseBranch))
            {
                (job.Optional ? optional : required).Add(job.RerunCommand);
            }
        }

        return new AvailableTests { TestAllNames = [.. testAll], RequiredCommands = [.. required], OptionalCommands = [.. optional] };
    }

    /// <inheritdoc cref="Available(IEnumerable{Presubmit}, string, Func{IReadOnlyList{string}})"/>
    public static AvailableTests Available(IEnumerable<Presubmit> presubmits, string baseBranch, IReadOnlyList<string> changedFiles) =>
        Available(presubmits, baseBranch, () => changedFiles);

    /// <summary>
    /// Whether a comment gets the help reply, and the note that heads it (Prow's
    /// <c>ShouldRespondWithHelp</c>); <paramref name="triggered"/> is how many jobs it started.
    /// </summary>
    public static (bool Respond, string Note) ShouldRespondWithHelp(string body, int triggered)
    {
        ArgumentNullException.ThrowIfNull(body);
        return true switch
        {
            _ when TestHelp.IsMatch(body) => (true, ""),
            _ when EmptyTest.IsMatch(body) => (true, TestWithoutTargetNote),
            _ when RetestWithTarget.IsMatch(body) => (true, RetestWithTargetNote),
            _ when triggered == 0 && TestAll.IsMatch(body) => (true, ThereAreNoTestAllJobsNote),
            _ when triggered == 0 && TestWithAnyTarget.IsMatch(body) => (true, TargetNotFoundNote),
            _ => (false, ""),
        };
    }

    /// <summary>The changed files fetched at most once, as Prow's deferred provider does.</summary>
    private static Func<IReadOnlyList<string>> Once(Func<IReadOnlyList<string>> changedFiles)
    {
        ArgumentNullException.ThrowIfNull(changedFiles);
        var lazy = new Lazy<IReadOnlyList<string>>(changedFiles, LazyThreadSafetyMode.None);
        return () => lazy.Value;
    }
}
