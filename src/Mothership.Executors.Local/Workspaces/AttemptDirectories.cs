using System.Globalization;

namespace Mothership.Executors.Local.Workspaces;

/// <summary>
/// The directories of one attempt, <c>Root/&lt;RunUid&gt;/&lt;TaskRunUid&gt;.attempt-&lt;RetryCount&gt;/</c>
/// (the run's folder holds all its TaskRuns' attempts and claims, so it goes with the run: <see cref="RunDirectories"/>):
/// <c>results/</c>, <c>steps/</c>, <c>home/</c>, <c>scripts/</c>, <c>workspace/</c>, <c>creds/</c>
/// and <c>volumes/</c> (ConfigMap, Secret and emptyDir volumes materialized as files).
/// </summary>
internal sealed record AttemptDirectories
{
    public required string Root { get; init; }
    /// <summary>The run's folder, <c>Root/&lt;RunUid&gt;</c> (a PipelineRun's, or a standalone TaskRun's own).</summary>
    public required string Run { get; init; }
    public required string Attempt { get; init; }
    public required string Results { get; init; }
    public required string Steps { get; init; }
    public required string Home { get; init; }
    public required string Scripts { get; init; }
    public required string Workspace { get; init; }
    public required string Creds { get; init; }
    public required string Volumes { get; init; }

    /// <summary>
    /// Creates the attempt directory with <c>home/</c> (the steps' <c>$HOME</c>) and
    /// <c>workspace/</c> (their working directory) — or takes a spare of the run that has both
    /// (<see cref="SpareAttempts"/>) — and of the others only those in
    /// <paramref name="needed"/>: each directory costs a few syscalls to make and as many to
    /// remove with the run, and the benchmark of 500 one-step tasks needs none of them. The
    /// attempt directory sits right in the run's folder, named after the TaskRun and the retry,
    /// rather than in a directory per TaskRun: one directory less per attempt. An existing attempt directory is deleted first, unless
    /// <paramref name="resume"/>: then what the finished steps left in it stays.
    /// </summary>
    /// <remarks>
    /// A fresh attempt takes a spare of its run from <paramref name="spares"/> when there is one, and
    /// a run's first attempt a kept folder of an ended run (<see cref="SpareAttempts"/>).
    /// </remarks>
    public static AttemptDirectories Create(string root, string runUid, string taskRunUid, int retryCount, AttemptParts needed, bool resume = false, SpareAttempts? spares = null)
    {
        // Without the trailing separator a root written "runs/" would put claims under runs/ instead of beside it.
        var fullRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var attempt = PathOf(root, runUid, taskRunUid, retryCount);
        var dirs = new AttemptDirectories
        {
            Root = fullRoot,
            Run = RunDirectories.PathOf(fullRoot, runUid),
            Attempt = attempt,
            Results = Path.Combine(attempt, "results"),
            Steps = Path.Combine(attempt, "steps"),
            Home = Path.Combine(attempt, "home"),
            Scripts = Path.Combine(attempt, "scripts"),
            Workspace = Path.Combine(attempt, "workspace"),
            Creds = Path.Combine(attempt, "creds"),
            Volumes = Path.Combine(attempt, "volumes"),
        };

        // A retry starts from a clean attempt directory; earlier attempts stay for inspection.
        if (!resume && Directory.Exists(attempt))
        {
            Directory.Delete(attempt, recursive: true);
        }

        // The run's folder is its user's alone (Secret files live below it); the first of the
        // attempt's own creates the parents, the others are siblings. A kept folder of an ended
        // run, when the executor keeps them, is renamed into place instead.
        if (!Directory.Exists(dirs.Run) && spares?.TryTakeRun(dirs.Run) != true)
        {
            RunDirectories.Create(dirs.Run);
        }
        if (resume || spares?.TryTake(dirs.Run, attempt) != true)
        {
            Directory.CreateDirectory(attempt);
            Directory.CreateDirectory(dirs.Home);
            Directory.CreateDirectory(dirs.Workspace);
            spares?.LearnMode(attempt);
        }

        (AttemptParts Part, string Dir)[] optional =
            [(AttemptParts.Results, dirs.Results), (AttemptParts.Steps, dirs.Steps), (AttemptParts.Scripts, dirs.Scripts), (AttemptParts.Creds, dirs.Creds)];
        foreach (var (part, dir) in optional)
        {
            if (needed.HasFlag(part))
            {
                Directory.CreateDirectory(dir);
            }
        }

        return dirs;
    }

    /// <summary>The attempt directory, <c>Root/&lt;RunUid&gt;/&lt;TaskRunUid&gt;.attempt-&lt;RetryCount&gt;</c>, as a full path.</summary>
    public static string PathOf(string root, string runUid, string taskRunUid, int retryCount) =>
        Path.Combine(RunDirectories.PathOf(root, runUid), string.Create(CultureInfo.InvariantCulture, $"{taskRunUid}.attempt-{retryCount}"));
}

/// <summary>The optional directories of an attempt.</summary>
[Flags]
internal enum AttemptParts
{
    None = 0,
    Results = 1,
    Steps = 2,
    Scripts = 4,
    Creds = 8,
    All = Results | Steps | Scripts | Creds,
}
