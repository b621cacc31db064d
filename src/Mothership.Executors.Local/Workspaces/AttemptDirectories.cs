namespace Mothership.Executors.Local.Workspaces;

/// <summary>
/// The directories of one attempt, <c>Root/&lt;TaskRunUid&gt;/attempt-&lt;RetryCount&gt;/</c>:
/// <c>results/</c>, <c>steps/</c>, <c>home/</c>, <c>scripts/</c>, <c>workspace/</c>, <c>creds/</c>
/// and <c>volumes/</c> (ConfigMap, Secret and emptyDir volumes materialized as files).
/// </summary>
internal sealed record AttemptDirectories
{
    public required string Root { get; init; }
    public required string Attempt { get; init; }
    public required string Results { get; init; }
    public required string Steps { get; init; }
    public required string Home { get; init; }
    public required string Scripts { get; init; }
    public required string Workspace { get; init; }
    public required string Creds { get; init; }
    public required string Volumes { get; init; }

    public static AttemptDirectories Create(string root, string taskRunUid, int retryCount)
    {
        var fullRoot = Path.GetFullPath(root);
        var attempt = Path.Combine(fullRoot, taskRunUid, $"attempt-{retryCount}");
        var dirs = new AttemptDirectories
        {
            Root = fullRoot,
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
        if (Directory.Exists(attempt))
        {
            Directory.Delete(attempt, recursive: true);
        }

        foreach (var d in new[] { dirs.Results, dirs.Steps, dirs.Home, dirs.Scripts, dirs.Workspace, dirs.Creds })
        {
            Directory.CreateDirectory(d);
        }

        return dirs;
    }
}
