using System.Globalization;

namespace Mothership.Executors.Local.Processes;

/// <summary>
/// The process ids the kernel handed out since a point in time: <c>(First, Last]</c>, wrapping at
/// <c>pid_max</c>. Every process of an attempt was started after the attempt began, so its id lies
/// in the window opened then; scanning only those ids keeps an attempt's end from reading the
/// environment of every process on the machine (bench/RESULTS.md, "Leftover processes").
/// </summary>
/// <remarks>
/// Ids are allocated in increasing order, wrapping at <c>/proc/sys/kernel/pid_max</c>; a window
/// that saw more than <c>pid_max</c> processes start would miss some, which no attempt does.
/// Where <c>/proc/sys/kernel/ns_last_pid</c> cannot be read the window is <see cref="All"/>.
/// </remarks>
internal sealed record PidWindow(int First, int Last)
{
    private const string LastPidFile = "/proc/sys/kernel/ns_last_pid";

    /// <summary>Every id: the full scan, for orphans of a server that died (no window was kept).</summary>
    public static readonly PidWindow All = new(-1, -1);

    /// <summary>A window opening now: it holds every process started from here on.</summary>
    public static PidWindow Open() => LastPid() is { } last ? new PidWindow(last, last) : All;

    /// <summary>The window extended to the processes started until now.</summary>
    public PidWindow Extended() => this == All ? All : this with { Last = LastPid() ?? Last };

    public bool Contains(int pid) =>
        this == All || (Last >= First ? pid > First && pid <= Last : pid > First || pid <= Last);

    private static int? LastPid()
    {
        try
        {
            return int.TryParse(File.ReadAllText(LastPidFile).AsSpan().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
