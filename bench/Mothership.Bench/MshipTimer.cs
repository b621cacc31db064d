using System.Diagnostics;
using System.Globalization;
using Mothership.Testing;

namespace Mothership.Bench;

/// <summary>The baselines' timing of a <c>mship</c> command, the same for every benchmark that compares against one.</summary>
internal static class MshipTimer
{
    /// <summary>Runs <c>mship ARGS</c> (the built binary) to its end: wall time and CPU time (user + system of it and its children), from bash's <c>time</c>.</summary>
    public static async Task<(double Wall, double Cpu)> RunAsync(params string[] args)
    {
        var report = Path.GetTempFileName();
        try
        {
            // bash's `time` to the millisecond: /usr/bin/time reports hundredths, and a one-task run
            // now takes a few milliseconds (it printed 0.00).
            var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in (string[])["-c", "TIMEFORMAT='%3R %3U %3S'; r=\"$1\"; shift; exec 3>\"$r\"; { time \"$@\" 2>&1; } 2>&3", "bash", report, MshipProcess.Binary, .. args])
            {
                info.ArgumentList.Add(a);
            }

            using var process = Process.Start(info)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"mship {string.Join(' ', args)} exited with {process.ExitCode}:\n{await output.ConfigureAwait(false)}\n{await error.ConfigureAwait(false)}");
            }

            var f = (await File.ReadAllTextAsync(report).ConfigureAwait(false)).Trim().Split('\n')[^1].Split(' ').Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray();
            return (f[0], f[1] + f[2]);
        }
        finally
        {
            File.Delete(report);
        }
    }
}
