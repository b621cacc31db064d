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

    /// <summary>
    /// The ids of the window, oldest first, when there are at most <paramref name="limit"/>;
    /// otherwise null (and always for <see cref="All"/>): then listing <c>/proc</c> costs less.
    /// </summary>
    public IEnumerable<int>? Ids(int limit)
    {
        if (this == All)
        {
            return null;
        }

        if (Last >= First)
        {
            return Last - First <= limit ? Enumerable.Range(First + 1, Last - First) : null;
        }

        // Wrapped at pid_max: the ids above First, then from 1 to Last.
        var max = PidMax.Value;
        var above = Math.Max(0, max - 1 - First);
        return above + Last <= limit ? Enumerable.Range(First + 1, above).Concat(Enumerable.Range(1, Last)) : null;
    }

    public bool Contains(int pid) =>
        this == All || (Last >= First ? pid > First && pid <= Last : pid > First || pid <= Last);

    /// <summary>One more than the highest process id (<c>/proc/sys/kernel/pid_max</c>); the 64-bit kernels' largest where unreadable.</summary>
    private static readonly Lazy<int> PidMax = new(() =>
    {
        try
        {
            return int.TryParse(File.ReadAllText("/proc/sys/kernel/pid_max").AsSpan().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var max) ? max : 4194304;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 4194304;
        }
    });

    private static int? LastPid() => ProcFiles.ReadInt(LastPidFile);
}
