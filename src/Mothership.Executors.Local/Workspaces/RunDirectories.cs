using System.IO.Enumeration;
using System.Runtime.InteropServices;

namespace Mothership.Executors.Local.Workspaces;

/// <summary>
/// A run's folder under the executor's root, <c>Root/&lt;RunUid&gt;</c>: its TaskRuns' attempt
/// directories and its <c>volumeClaimTemplate</c> claims. Made <c>0700</c> and marked with the
/// executor's instance; removed with the run (<see cref="LocalTaskExecutor.ReleaseRunAsync"/>).
/// <c>persistentVolumeClaim</c> claims (<c>Root/../volumes</c>) and host directories bound with
/// <c>mship run -w</c> are not inside it and outlive runs.
/// </summary>
internal static partial class RunDirectories
{
    /// <summary>The file naming the instance (<see cref="LocalExecutorOptions.Instance"/>) that made a run's folder.</summary>
    public const string InstanceFile = ".instance";

    public static string PathOf(string root, string runUid) =>
        Path.Combine(Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)), runUid);

    /// <summary>A run's folder's mode: its owner's alone (Secret files live below it).</summary>
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

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
            Directory.CreateDirectory(runDirectory, FolderMode);
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
            if (Path.GetFileName(dir).StartsWith(SpareAttempts.RunPrefix, StringComparison.Ordinal))
            {
                // A kept folder of an ended run (SpareAttempts), no run's.
                continue;
            }

            if (IsMarked(dir, instance))
            {
                runs.Add(Path.GetFileName(dir));
            }
        }

        return runs;
    }

    /// <summary>Whether <paramref name="folder"/> holds the mark of <paramref name="instance"/> (<see cref="Mark"/>).</summary>
    public static bool IsMarked(string folder, string instance)
    {
        var marker = Path.Combine(folder, InstanceFile);
        try
        {
            return File.Exists(marker) && File.ReadAllText(marker) == instance;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Being removed, or not ours to read: not this instance's to sweep.
            return false;
        }
    }

    /// <summary>
    /// Whether <paramref name="folder"/> (<see cref="PathOf"/> of <paramref name="runUid"/>) is a run's
    /// folder that exists: a uid is one plain name, nothing with a separator, and never "." or ".."
    /// (the root or its parent).
    /// </summary>
    public static bool IsRunFolder(string folder, string runUid) =>
        runUid is not ("." or "..") && Path.GetFileName(folder) == runUid && Directory.Exists(folder);

    /// <summary>Removes a run's folder; whether there was one.</summary>
    public static bool Delete(string root, string runUid)
    {
        var dir = PathOf(root, runUid);
        if (!IsRunFolder(dir, runUid))
        {
            return false;
        }

        RemoveBareAttempts(dir);
        Directory.Delete(dir, recursive: true);
        return true;
    }

    /// <summary>
    /// Removes the attempt directories that hold nothing but an empty <c>home/</c> and
    /// <c>workspace/</c> (a step that wrote nothing there, as the benchmark's no-op steps) with
    /// three <c>rmdir</c> calls each; <see cref="Directory.Delete(string, bool)"/> would open and
    /// list each of the three first. <c>rmdir</c> removes only empty directories and never follows
    /// a link in its last component, so anything else (and any directory that is a link) is left
    /// to the recursive delete after it.
    /// </summary>
    private static void RemoveBareAttempts(string runDirectory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var attempts = new FileSystemEnumerable<string>(runDirectory, (ref entry) => entry.ToFullPath(), new EnumerationOptions { AttributesToSkip = 0 })
        {
            // A real directory only: a step may have left a link in the run's folder.
            ShouldIncludePredicate = (ref entry) => entry.IsDirectory && (entry.Attributes & FileAttributes.ReparsePoint) == 0,
        };
        foreach (var attempt in attempts)
        {
            _ = RemoveDirectory(Path.Combine(attempt, "workspace"));
            _ = RemoveDirectory(Path.Combine(attempt, "home"));
            _ = RemoveDirectory(attempt);
        }
    }

    [LibraryImport("libc", EntryPoint = "rmdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RemoveDirectory(string path);
}
