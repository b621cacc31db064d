using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Mothership.Executors.Local.Workspaces;

/// <summary>
/// Attempt directories that ended as they began — a succeeded attempt whose directory holds
/// nothing but its empty <c>home/</c> and <c>workspace/</c>, as every no-op step leaves it — kept
/// in their run's folder (renamed <c>RUN/.spare.TASKRUN.attempt-N</c>) and renamed again into the
/// next attempt of the same run instead of making three new directories. On ext4 a directory costs
/// a block to make and far more to free (bench/RESULTS.md, "DAG against make": removing 2,000
/// attempts' directories was half of <c>mship run</c>'s own CPU); with spares a run of any size
/// makes and removes about as many attempt directories as it runs attempts at once.
/// </summary>
/// <remarks>
/// A spare is handed out only if it is still exactly what a new attempt gets: the two
/// subdirectories, real directories, empty, with the mode a new directory has. A failed attempt's
/// directory stays where it is, for inspection. The run's folder goes with the run
/// (<see cref="RunDirectories.Delete"/>), spares and all.
/// </remarks>
internal sealed partial class SpareAttempts
{
    private const string Prefix = ".spare.";

    private readonly ConcurrentDictionary<string, ConcurrentBag<string>> _byRun = new(StringComparer.Ordinal);
    private int _freshMode = -1;

    /// <summary>
    /// Renames a spare of <paramref name="runDirectory"/> to <paramref name="attempt"/>; false when
    /// there is none (or it went away), and the caller makes the directories.
    /// </summary>
    public bool TryTake(string runDirectory, string attempt)
    {
        if (!_byRun.TryGetValue(runDirectory, out var spares))
        {
            return false;
        }

        while (spares.TryTake(out var spare))
        {
            if (RenameNoReplace(spare, attempt) == 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Notes the mode of a directory just made (<paramref name="freshDirectory"/>): a spare must have it.</summary>
    public void LearnMode(string freshDirectory)
    {
        if (Volatile.Read(ref _freshMode) < 0 && !OperatingSystem.IsWindows())
        {
            Volatile.Write(ref _freshMode, (int)File.GetUnixFileMode(freshDirectory));
        }
    }

    /// <summary>
    /// Keeps the directories of a succeeded attempt as a spare when they are as new; otherwise,
    /// or when anything fails, leaves them where they are.
    /// </summary>
    public void Return(AttemptDirectories dirs)
    {
        if (OperatingSystem.IsWindows() || Volatile.Read(ref _freshMode) < 0)
        {
            return;
        }

        try
        {
            if (!AsNew(dirs))
            {
                return;
            }

            var spare = Path.Combine(dirs.Run, Prefix + Path.GetFileName(dirs.Attempt));
            if (RenameNoReplace(dirs.Attempt, spare) == 0)
            {
                _byRun.GetOrAdd(dirs.Run, _ => []).Add(spare);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Something in the way: the directory stays, and goes with the run's folder.
        }
    }

    /// <summary>Forgets the spares of a run whose folder is being removed.</summary>
    public void Forget(string runDirectory) => _byRun.TryRemove(runDirectory, out _);

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private bool AsNew(AttemptDirectories dirs)
    {
        var mode = (UnixFileMode)_freshMode;
        var entries = 0;
        foreach (var entry in new DirectoryInfo(dirs.Attempt).EnumerateFileSystemInfos("*", Everything))
        {
            // home/ and workspace/ only, each a real directory (not a link), empty, as made.
            if (++entries > 2 || entry.Name is not ("home" or "workspace") || entry is not DirectoryInfo dir
                || (dir.Attributes & FileAttributes.ReparsePoint) != 0 || dir.UnixFileMode != mode
                || dir.EnumerateFileSystemInfos("*", Everything).Any())
            {
                return false;
            }
        }

        return entries == 2 && File.GetUnixFileMode(dirs.Attempt) == mode;
    }

    private static readonly EnumerationOptions Everything = new() { AttributesToSkip = 0, IgnoreInaccessible = false, RecurseSubdirectories = false };

    private const int AtCwd = -100;
    private const uint NoReplace = 1; // RENAME_NOREPLACE: never over an existing directory

    private static int RenameNoReplace(string from, string to) => RenameAt2(AtCwd, from, AtCwd, to, NoReplace);

    [LibraryImport("libc", EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameAt2(int fromDir, string from, int toDir, string to, uint flags);
}
