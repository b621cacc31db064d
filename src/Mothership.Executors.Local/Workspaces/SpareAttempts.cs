using System.Collections.Concurrent;
using System.IO.Enumeration;
using System.Runtime.InteropServices;
using Mothership.Executors.Local.Processes;

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
/// (<see cref="RunDirectories.Delete"/>), spares and all — or, with
/// <see cref="LocalExecutorOptions.ReuseRunFolders"/>, when it holds nothing but its instance file
/// and its spares, it is kept whole (<see cref="TryPoolRun"/>) and renamed into the next run
/// (<see cref="TryTakeRun"/>): a server running one-task runs otherwise made four directories and a
/// file for each and removed them again, and ext4's inode allocation alone was 7 % of its CPU
/// (bench/RESULTS.md). A spare that comes from another run is checked again before it is used.
/// </remarks>
internal sealed partial class SpareAttempts
{
    /// <summary>How many ended runs' folders are kept at most; the others are removed as before.</summary>
    public const int MaxPooledRuns = 32;

    private const string Prefix = ".spare.";

    /// <summary>The name prefix of a kept run folder under the root (never a run's uid, which has no dot).</summary>
    public const string RunPrefix = ".spare-run.";

    private readonly ConcurrentDictionary<string, ConcurrentBag<Spare>> _byRun = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string[]> _pooled = new(StringComparer.Ordinal);
    private int _freshMode = -1;

    /// <summary>A spare attempt directory; <paramref name="Foreign"/> when it came with a kept folder of another run.</summary>
    private readonly record struct Spare(string Path, bool Foreign);

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
            // Another run's spare waited in a kept folder: it must still be as new.
            if (spare.Foreign && (OperatingSystem.IsWindows() || !AsNew(spare.Path)))
            {
                continue;
            }

            if (RenameNoReplace(spare.Path, attempt) == 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Renames a kept run folder to <paramref name="runDirectory"/>, which does not exist yet, and
    /// makes its spares that run's; false when none is kept (or the rename failed), and the caller
    /// makes the folder.
    /// </summary>
    public bool TryTakeRun(string runDirectory)
    {
        // Enumerating the dictionary takes no lock and no snapshot (its Keys would take both): every run's first attempt comes here.
        foreach (var (kept, _) in _pooled)
        {
            if (!_pooled.TryRemove(kept, out var spares))
            {
                continue;
            }

            if (RenameNoReplace(kept, runDirectory) == 0)
            {
                if (OperatingSystem.IsWindows() || !IsOwnerOnlyDirectory(runDirectory))
                {
                    // Changed while it was kept (its mode, or a link in its place): a fresh folder instead.
                    Discard(runDirectory);
                    return false;
                }

                var bag = _byRun.GetOrAdd(runDirectory, _ => []);
                foreach (var name in spares)
                {
                    bag.Add(new Spare(Path.Combine(runDirectory, name), Foreign: true));
                }

                return true;
            }

            if (Path.Exists(runDirectory))
            {
                // Another attempt of the run made its folder meanwhile: the kept one waits for the next run.
                _pooled.TryAdd(kept, spares);
                return false;
            }

            // Gone (a sweep removed it): try the next one.
        }

        return false;
    }

    /// <summary>
    /// Keeps the folder of a run that ended (<see cref="LocalExecutorOptions.ReuseRunFolders"/>) when
    /// it holds nothing but <see cref="RunDirectories.InstanceFile"/> and the run's spares, renamed
    /// to <c>root/.spare-run.*</c>; false otherwise (fewer than one spare, anything else in it, the
    /// pool full), and the caller removes it.
    /// </summary>
    public bool TryPoolRun(string runDirectory)
    {
        if (OperatingSystem.IsWindows() || _pooled.Count >= MaxPooledRuns || !_byRun.TryRemove(runDirectory, out var bag))
        {
            return false;
        }

        var spares = bag.Select(s => Path.GetFileName(s.Path)).ToHashSet(StringComparer.Ordinal);
        if (spares.Count == 0 || !HoldsOnlySpares(runDirectory, spares))
        {
            return false;
        }

        var kept = Path.Combine(Path.GetDirectoryName(runDirectory)!, RunPrefix + Guid.NewGuid().ToString("N"));
        if (RenameNoReplace(runDirectory, kept) != 0)
        {
            return false;
        }

        _pooled[kept] = [.. spares];
        return true;
    }

    /// <summary>
    /// Removes the kept run folders under <paramref name="root"/> marked as <paramref name="instance"/>'s
    /// that this process does not know: an earlier process's, which nothing else would remove.
    /// </summary>
    public void RemoveStaleRuns(string root, string instance)
    {
        root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        if (!Directory.Exists(root))
        {
            return;
        }

        foreach (var dir in Directory.EnumerateDirectories(root, RunPrefix + "*"))
        {
            try
            {
                if (!_pooled.ContainsKey(dir) && RunDirectories.IsMarked(dir, instance))
                {
                    Directory.Delete(dir, recursive: true);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Being taken or removed meanwhile: the next sweep sees what is left.
            }
        }
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
            if (!AsNew(dirs.Attempt))
            {
                return;
            }

            var spare = Path.Combine(dirs.Run, Prefix + Path.GetFileName(dirs.Attempt));
            if (RenameNoReplace(dirs.Attempt, spare) == 0)
            {
                _byRun.GetOrAdd(dirs.Run, _ => []).Add(new Spare(spare, Foreign: false));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Something in the way: the directory stays, and goes with the run's folder.
        }
    }

    /// <summary>Forgets the spares of a run whose folder is being removed.</summary>
    public void Forget(string runDirectory) => _byRun.TryRemove(runDirectory, out _);

    /// <remarks>
    /// Read with <c>open</c>, <c>fstat</c> and <c>getdents64</c> on the directories themselves (15
    /// system calls): every attempt of a run ends here, and the enumerations this replaced made 21
    /// calls by path and a dozen objects each time. <c>O_NOFOLLOW</c> refuses a link in the place
    /// of either directory, <c>O_DIRECTORY</c> anything but a directory.
    /// </remarks>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private bool AsNew(string attemptDirectory)
    {
        var mode = (UnixFileMode)_freshMode;
        var attempt = OpenAt(AtCwd, attemptDirectory, DirectoryOnly);
        if (attempt < 0)
        {
            return false;
        }

        try
        {
            return ModeOf(attempt) == mode && HoldsOnly(attempt, 2)
                && IsNewDirectory(attempt, "home", mode) && IsNewDirectory(attempt, "workspace", mode);
        }
        finally
        {
            PosixSpawn.CloseFd(attempt);
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static bool IsNewDirectory(int parent, string name, UnixFileMode mode)
    {
        var fd = OpenAt(parent, name, DirectoryOnly);
        if (fd < 0)
        {
            return false;
        }

        try
        {
            return ModeOf(fd) == mode && HoldsOnly(fd, 0);
        }
        finally
        {
            PosixSpawn.CloseFd(fd);
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static UnixFileMode ModeOf(int fd)
    {
        using var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: false);
        return File.GetUnixFileMode(handle);
    }

    /// <summary>
    /// Whether the directory holds exactly <paramref name="count"/> entries besides <c>.</c> and
    /// <c>..</c>, all of them <c>home</c> or <c>workspace</c> and directories (or of a type the
    /// file system does not report, which the caller's <c>O_DIRECTORY</c> open then checks).
    /// </summary>
    private static unsafe bool HoldsOnly(int fd, int count)
    {
        const int headerLength = 19; // d_ino (8), d_off (8), d_reclen (2), d_type (1), then the name
        const byte unknownType = 0, directoryType = 4;
        Span<byte> buffer = stackalloc byte[1024];
        var seen = 0;
        while (true)
        {
            nint read;
            fixed (byte* p = buffer)
            {
                read = GetDents64(fd, p, buffer.Length);
            }

            if (read <= 0)
            {
                // 0 is the end of the directory; an error counts as not new.
                return read == 0 && seen == count;
            }

            for (var offset = 0; offset < read;)
            {
                var entry = buffer[offset..(int)read];
                var length = MemoryMarshal.Read<ushort>(entry[16..]);
                var name = entry[headerLength..length];
                name = name[..name.IndexOf((byte)0)];
                offset += length;
                if (name.SequenceEqual("."u8) || name.SequenceEqual(".."u8))
                {
                    continue;
                }

                if (++seen > count || entry[18] is not (unknownType or directoryType) || !(name.SequenceEqual("home"u8) || name.SequenceEqual("workspace"u8)))
                {
                    return false;
                }
            }
        }
    }

    /// <summary>Whether <paramref name="path"/> is a directory, not a link, with a run folder's mode (<see cref="RunDirectories.FolderMode"/>).</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static bool IsOwnerOnlyDirectory(string path)
    {
        var fd = OpenAt(AtCwd, path, DirectoryOnly);
        if (fd < 0)
        {
            return false;
        }

        try
        {
            return ModeOf(fd) == RunDirectories.FolderMode;
        }
        finally
        {
            PosixSpawn.CloseFd(fd);
        }
    }

    /// <summary>
    /// Removes what is at <paramref name="path"/>: a link itself (never what it points to), a file, or
    /// a directory and all in it. A failure fails the attempt: the run must not go on in it.
    /// </summary>
    private static void Discard(string path)
    {
        if (File.GetAttributes(path).HasFlag(FileAttributes.ReparsePoint) || !Directory.Exists(path))
        {
            File.Delete(path);
        }
        else
        {
            Directory.Delete(path, recursive: true);
        }
    }

    /// <summary>
    /// Whether a run's folder holds nothing but its instance file (a regular file) and directories
    /// named as <paramref name="spares"/> (real directories, not links).
    /// </summary>
    private static bool HoldsOnlySpares(string runDirectory, HashSet<string> spares)
    {
        try
        {
            var entries = new FileSystemEnumerable<bool>(runDirectory, (ref entry) =>
                entry.IsDirectory
                    ? (entry.Attributes & FileAttributes.ReparsePoint) == 0 && spares.Contains(entry.FileName.ToString())
                    : (entry.Attributes & FileAttributes.ReparsePoint) == 0 && entry.FileName.SequenceEqual(RunDirectories.InstanceFile),
                new EnumerationOptions { AttributesToSkip = 0 });
            return entries.All(ok => ok);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private const int AtCwd = -100;
    private const uint NoReplace = 1; // RENAME_NOREPLACE: never over an existing directory

    // O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC; the first two differ on ARM.
    private static readonly int DirectoryOnly = (RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x4000 | 0x8000 : 0x10000 | 0x20000) | 0x80000;

    private static int RenameNoReplace(string from, string to) => RenameAt2(AtCwd, from, AtCwd, to, NoReplace);

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenAt(int dirFd, string path, int flags);

    [LibraryImport("libc", EntryPoint = "getdents64", SetLastError = true)]
    private static unsafe partial nint GetDents64(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameAt2(int fromDir, string from, int toDir, string to, uint flags);
}
