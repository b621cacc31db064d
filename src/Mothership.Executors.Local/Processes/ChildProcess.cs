using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Mothership.Executors.Local.Processes;

/// <summary>What to start: a program, its arguments, where and with which environment.</summary>
internal sealed record LaunchSpec(
    string FileName,
    IReadOnlyList<string> Arguments,
    string WorkingDirectory,
    IReadOnlyDictionary<string, string> Environment);

/// <summary>
/// A step or sidecar process in its own session and process group, so that stopping it reaches
/// every process it started (a script's <c>sleep 1000 &amp;</c> included).
/// </summary>
/// <remarks>
/// The child is started through <c>setsid --wait</c>: .NET cannot call <c>setpgid</c> between
/// fork and exec, and a child of ours is never a process-group leader, so <c>setsid</c> calls
/// <c>setsid()</c> and execs the program in place. The process id we get is then also the
/// group id, and <c>kill(-pid, …)</c> signals the whole tree. A new session also keeps
/// terminal signals (Ctrl-C in <c>mship run</c>) from reaching steps behind our back: stopping
/// them is the executor's job, with the grace period Tekton gives.
/// When the main process ends, whatever is left in its group is killed, as Kubernetes does when
/// a container's main process exits; otherwise a leftover background child would hold the
/// output pipes open and the step would never finish.
/// </remarks>
internal sealed partial class ChildProcess : IDisposable
{
    private const int SigTerm = 15;
    private const int SigKill = 9;
    private static readonly TimeSpan PipeDrainLimit = TimeSpan.FromSeconds(5);

    private readonly Process _process;
    private readonly Task _stdout;
    private readonly Task _stderr;

    private ChildProcess(Process process, Action<string> onStdout, Action<string> onStderr)
    {
        _process = process;
        _stdout = PumpAsync(process.StandardOutput, onStdout);
        _stderr = PumpAsync(process.StandardError, onStderr);
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>Starts the process; the callbacks receive its output lines, from two threads.</summary>
    public static ChildProcess Start(LaunchSpec spec, Action<string> onStdout, Action<string> onStderr)
    {
        var psi = new ProcessStartInfo("setsid")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = spec.WorkingDirectory,
        };
        psi.ArgumentList.Add("--wait");
        psi.ArgumentList.Add("--");
        psi.ArgumentList.Add(spec.FileName);
        foreach (var a in spec.Arguments)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment.Clear();
        foreach (var (k, v) in spec.Environment)
        {
            psi.Environment[k] = v;
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {spec.FileName}");

        // Steps have no stdin, as in a pod.
        process.StandardInput.Close();
        return new ChildProcess(process, onStdout, onStderr);
    }

    /// <summary>
    /// Waits for the process to end. When <paramref name="stop"/> fires first, the group gets
    /// SIGTERM, then SIGKILL once <paramref name="gracePeriod"/> has passed. Returns the exit code
    /// (128 + signal for a killed process) and whether it was stopped.
    /// </summary>
    public async Task<(int ExitCode, bool Stopped)> WaitAsync(TimeSpan gracePeriod, TimeProvider time, CancellationToken stop)
    {
        var stopped = false;
        try
        {
            await _process.WaitForExitAsync(stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            stopped = true;
            await TerminateAsync(gracePeriod, time).ConfigureAwait(false);
        }

        SignalGroup(SigKill);
        try
        {
            await Task.WhenAll(_stdout, _stderr).WaitAsync(PipeDrainLimit, time, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A process that left our group (its own setsid) still holds the pipes; its output is lost.
        }

        return (_process.ExitCode, stopped);
    }

    /// <summary>SIGTERM to the group, SIGKILL after the grace period; returns once the main process ended.</summary>
    public async Task TerminateAsync(TimeSpan gracePeriod, TimeProvider time)
    {
        SignalGroup(SigTerm);
        using var grace = new CancellationTokenSource(gracePeriod, time);
        try
        {
            await _process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            SignalGroup(SigKill);
            await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private void SignalGroup(int signal)
    {
        // ESRCH (no such group) is expected once everything has ended.
        _ = Kill(-_process.Id, signal);
    }

    private static async Task PumpAsync(StreamReader reader, Action<string> onLine)
    {
        while (await reader.ReadLineAsync(CancellationToken.None).ConfigureAwait(false) is { } line)
        {
            onLine(line);
        }
    }

    public void Dispose() => _process.Dispose();
}
