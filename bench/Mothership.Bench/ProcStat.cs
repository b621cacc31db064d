using System.Globalization;

namespace Mothership.Bench;

/// <summary>A benchmarked process's figures read from <c>/proc</c> (a server started as a process of its own).</summary>
internal static class ProcStat
{
    /// <summary>The process's CPU time, its waited-for children's (the steps) included, from <c>/proc/PID/stat</c>.</summary>
    public static double CpuSeconds(int pid) => Cpu(pid).Total;

    /// <summary>
    /// The process's own CPU time (utime + stime) and its waited-for children's (cutime + cstime:
    /// a server's steps), in seconds, from <c>/proc/PID/stat</c>.
    /// </summary>
    public static CpuTimes Cpu(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // After the name: state is field 3, so utime (14) … cstime (17) are at 11 … 14 here.
        long Ticks(int i) => long.Parse(fields[i], CultureInfo.InvariantCulture);
        return new CpuTimes((Ticks(11) + Ticks(12)) / 100.0, (Ticks(13) + Ticks(14)) / 100.0);
    }

    /// <summary>The process's resident memory now and at its peak (VmRSS, VmHWM of <c>/proc/PID/status</c>), in KiB.</summary>
    public static (long Current, long Peak) Rss(int pid)
    {
        long current = 0, peak = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                current = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
        }

        return (current, peak);
    }
}

/// <summary>A process's CPU time in seconds: its own, and its waited-for children's.</summary>
internal readonly record struct CpuTimes(double Own, double Children)
{
    public double Total => Own + Children;

    public static CpuTimes operator -(CpuTimes a, CpuTimes b) => new(a.Own - b.Own, a.Children - b.Children);
}
