using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Mothership.Executors.Local.Processes;

/// <summary>
/// Finds the processes of one attempt by the marker every one of them carries in its
/// environment, <c>MOTHERSHIP_ATTEMPT=&lt;TaskRunUid&gt;/&lt;RetryCount&gt;</c>, and kills them.
/// </summary>
/// <remarks>
/// Steps and sidecars run in their own sessions, so when the server dies they live on, and a
/// step's <c>setsid</c>/<c>nohup</c> children leave even the step's group: no process group or
/// parent link finds them all after a crash. The environment does, since children inherit it.
/// A process that clears or rewrites its environment (<c>env -i</c>) escapes the scan.
/// </remarks>
internal static class AttemptProcesses
{
    /// <summary>The environment variable that names a process's attempt.</summary>
    public const string Variable = "MOTHERSHIP_ATTEMPT";

    private const int SigKill = 9;

    // A process that forks while we scan starts a child the scan may have missed; a few passes
    // catch such children, and stop as soon as a pass finds nothing new.
    private const int MaxPasses = 10;

    // Listing /proc reads every process's entry (hundreds on a busy host); one stat per id costs
    // less while the window holds fewer ids than that.
    private const int WindowScanLimit = 256;

    // The processes this executor started and has not reaped yet, with their attempt's marker:
    // a scan skips those of other attempts without reading their environment (at --parallel 2,
    // the other step running is in almost every attempt's window).
    private static readonly ConcurrentDictionary<int, string> Running = new();

    /// <summary>Notes a process this executor started for the attempt marked <paramref name="marker"/>, until <paramref name="exited"/> completes (it has been reaped).</summary>
    public static void Started(int pid, string marker, Task exited)
    {
        Running[pid] = marker;
        exited.ContinueWith(static (task, state) => Running.TryRemove((int)state!, out var _), pid, CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>The marker's value for one attempt.</summary>
    public static string Marker(string taskRunUid, int retryCount) =>
        taskRunUid + "/" + retryCount.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Sends SIGKILL to every process whose <c>/proc/PID/environ</c> holds the attempt's marker,
    /// except the calling process; returns how many processes it signalled. Processes whose
    /// environment cannot be read (another user's, or gone meanwhile) are skipped. Only ids in
    /// <paramref name="window"/> are read (default: all, as after a crash).
    /// </summary>
    public static int Kill(string taskRunUid, int retryCount, PidWindow? window = null)
    {
        window ??= PidWindow.All;
        var marker = Marker(taskRunUid, retryCount);
        var entry = Encoding.UTF8.GetBytes(Variable + "=" + marker);
        var self = Environment.ProcessId;
        var killed = new HashSet<int>();
        for (var pass = 0; pass < MaxPasses; pass++)
        {
            // Children forked since the last pass have later ids.
            window = window.Extended();
            var found = false;
            // A window of a few ids (an attempt's own, and what else the machine started
            // meanwhile) is read id by id; a wide one, or none, by listing /proc. Read by id,
            // /proc also answers for threads: a thread of this process is never signalled.
            foreach (var pid in window.Ids(WindowScanLimit) ?? Pids())
            {
                if (pid == self || !window.Contains(pid) || killed.Contains(pid) || OtherAttempts(pid, marker) || !Carries(pid, entry)
                    || Directory.Exists($"/proc/self/task/{pid}"))
                {
                    continue;
                }

                found = true;
                if (PosixSpawn.Signal(pid, SigKill) == 0)
                {
                    killed.Add(pid);
                }
            }

            if (!found)
            {
                break;
            }
        }

        return killed.Count;
    }

    private static bool OtherAttempts(int pid, string marker) => Running.TryGetValue(pid, out var of) && !string.Equals(of, marker, StringComparison.Ordinal);

    /// <summary>The ids of the processes running now, from <c>/proc</c>.</summary>
    internal static IEnumerable<int> Pids()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                yield return pid;
            }
        }
    }

    // The last environment read on this thread, kept for the next (an attempt's end reads a few).
    [ThreadStatic]
    private static byte[]? _environBuffer;

    /// <summary>Whether one of the NUL-separated entries of the process's environment is exactly <paramref name="entry"/>.</summary>
    private static bool Carries(int pid, byte[] entry)
    {
        // Most ids of a window are gone (or were threads): a failed open says so; another user's
        // process cannot be opened either.
        var buffer = _environBuffer ?? [];
        var length = ProcFiles.Read($"/proc/{pid}/environ", ref buffer);
        _environBuffer = buffer;
        if (length < 0)
        {
            return false;
        }

        ReadOnlySpan<byte> rest = buffer.AsSpan(0, length);
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf((byte)0);
            var current = end < 0 ? rest : rest[..end];
            if (current.SequenceEqual(entry))
            {
                return true;
            }

            rest = end < 0 ? [] : rest[(end + 1)..];
        }

        return false;
    }
}
