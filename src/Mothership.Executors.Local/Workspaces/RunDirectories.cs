namespace Mothership.Executors.Local.Workspaces;

/// <summary>
/// A run's folder under the executor's root, <c>Root/&lt;RunUid&gt;</c>: its TaskRuns' attempt
/// directories and its <c>volumeClaimTemplate</c> claims. Made <c>0700</c> and marked with the
/// executor's instance; removed with the run (<see cref="LocalTaskExecutor.ReleaseRunAsync"/>).
/// <c>persistentVolumeClaim</c> claims (<c>Root/../volumes</c>) and host directories bound with
/// <c>mship run -w</c> are not inside it and outlive runs.
/// </summary>
internal static class RunDirectories
{
    /// <summary>The file naming the instance (<see cref="LocalExecutorOptions.Instance"/>) that made a run's folder.</summary>
    public const string InstanceFile = ".instance";

    public static string PathOf(string root, string runUid) =>
        Path.Combine(Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)), runUid);

    /// <summary>Creates the run's folder, readable by its owner only.</summary>
    public static void Create(string runDirectory)
    {
        if (Directory.Exists(runDirectory))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(runDirectory);
        }
        else
        {
            Directory.CreateDirectory(runDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>Marks the run's folder as <paramref name="instance"/>'s, once.</summary>
    public static void Mark(string runDirectory, string instance)
    {
        var file = Path.Combine(runDirectory, InstanceFile);
        if (!File.Exists(file))
        {
            File.WriteAllText(file, instance);
        }
    }

    /// <summary>The uids of the runs whose folders <paramref name="instance"/> made under <paramref name="root"/>.</summary>
    public static IReadOnlySet<string> List(string root, string instance)
    {
        var runs = new HashSet<string>(StringComparer.Ordinal);
        if (!Directory.Exists(root))
        {
            return runs;
        }

        foreach (var dir in Directory.EnumerateDirectories(root))
        {
            var marker = Path.Combine(dir, InstanceFile);
            try
            {
                if (File.Exists(marker) && File.ReadAllText(marker) == instance)
                {
                    runs.Add(Path.GetFileName(dir));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Being removed, or not ours to read: not this instance's to sweep.
            }
        }

        return runs;
    }

    /// <summary>Removes a run's folder; whether there was one.</summary>
    public static bool Delete(string root, string runUid)
    {
        // A uid is one plain name: nothing with a separator, and never "." or ".." (the root or its parent).
        var dir = PathOf(root, runUid);
        if (runUid is "." or ".." || Path.GetFileName(dir) != runUid || !Directory.Exists(dir))
        {
            return false;
        }

        Directory.Delete(dir, recursive: true);
        return true;
    }
}
