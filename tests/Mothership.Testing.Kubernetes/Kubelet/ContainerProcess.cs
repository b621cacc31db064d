using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Mothership.Testing.Kubernetes.Kubelet;

/// <summary>
/// A container's process tree: bubblewrap, and inside it the container's command in a session
/// of its own, so that a SIGTERM reaches the command and everything it started, never bubblewrap.
/// </summary>
/// <remarks>
/// Inside bubblewrap the command runs as <c>setsid sh -c 'echo $$; exec "$@" 2>&amp;1' sh CMD…</c>:
/// the first line of output is the session's process id (also its group id, and a host pid as no
/// pid namespace is made), which the fake reads and keeps out of the log; stderr joins stdout so
/// lines keep the order the container wrote them in. Signalling bubblewrap instead would not
/// reach the command: bubblewrap does not forward signals.
/// When the command exits, whatever it left in its group is killed, as a container's processes
/// die with its main process.
/// </remarks>
internal sealed class ContainerProcess : IAsyncDisposable
{
    private const int SigTerm = 15;
    private const int SigKill = 9;
    // Real time on purpose, not the fake's TimeProvider: these bound real processes and pipes, whatever clock a test gives the fake.
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan StuckLimit = TimeSpan.FromSeconds(5);

    // Every container group still running, killed when the test process exits without disposing its fakes.
    private static readonly ConcurrentDictionary<int, byte> Groups = new();

    static ContainerProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var group in Groups.Keys)
        {
            Signal(-group, SigKill);
        }
    };

    private readonly Process _process;
    private readonly TaskCompletionSource<int> _group = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _readers;
    private readonly Task<int> _exited;
    private volatile bool _killRequested;

    private ContainerProcess(Process process, Action<string> onLine)
    {
        _process = process;
        var stdout = ReadAsync(process.StandardOutput, onLine, firstLineIsGroup: true);
        var stderr = ReadAsync(process.StandardError, onLine, firstLineIsGroup: false);
        _readers = Task.WhenAll(stdout, stderr);
        _exited = WaitAsync();
    }

    /// <summary>Completes once the command has been exec'd (the runtime has started it); cancelled when it never was.</summary>
    public Task Started => _group.Task;

    /// <summary>The exit code, once the command has ended: 128 + the signal when one killed it.</summary>
    public Task<int> Exited => _exited;

    /// <summary>Starts bubblewrap with <paramref name="arguments"/> (which end with the command) and a clean environment.</summary>
    public static async Task<ContainerProcess> StartAsync(
        string bubblewrap, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, Action<string> onLine)
    {
        var psi = new ProcessStartInfo(bubblewrap)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = "/",
        };
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment.Clear();
        foreach (var (k, v) in environment)
        {
            psi.Environment[k] = v;
        }

        var process = await Launcher.StartAsync(psi).ConfigureAwait(false);
        process.StandardInput.Close();
        return new ContainerProcess(process, onLine);
    }

    /// <summary>SIGTERM to the container's group, SIGKILL after <paramref name="gracePeriod"/>; returns the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan gracePeriod, TimeProvider time)
    {
        if (gracePeriod > TimeSpan.Zero)
        {
            using var grace = new CancellationTokenSource(gracePeriod, time);
            try
            {
                // The group is known once the first line arrived; before that the command has not been exec'd yet.
                var group = await _group.Task.WaitAsync(grace.Token).ConfigureAwait(false);
                Signal(-group, SigTerm);
                return await _exited.WaitAsync(grace.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The grace period is over: what follows kills.
            }
        }

        Kill();
        return await _exited.ConfigureAwait(false);
    }

    /// <summary>
    /// SIGKILLs the container's group, now or as soon as it is known. bubblewrap itself is not
    /// killed before the command has been exec'd: its sandboxed child could then be left waiting
    /// for a parent that is gone, and the command, once exec'd, no longer dies with bubblewrap
    /// (exec as root clears the parent-death signal <c>--die-with-parent</c> set).
    /// </summary>
    public void Kill()
    {
        _killRequested = true;
        if (_group.Task.IsCompletedSuccessfully)
        {
            Signal(-_group.Task.Result, SigKill);
        }
        else
        {
            _ = KillStuckAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_exited.IsCompleted)
        {
            Kill();
        }

        await _exited.ConfigureAwait(false);
        _process.Dispose();
    }

    private async Task<int> WaitAsync()
    {
        await _process.WaitForExitAsync().ConfigureAwait(false);
        if (_group.Task.IsCompletedSuccessfully)
        {
            // Background children die with the main process, and release the output pipe.
            Signal(-_group.Task.Result, SigKill);
            Groups.TryRemove(_group.Task.Result, out _);
        }

        _group.TrySetCanceled();
        try
        {
            await _readers.WaitAsync(DrainLimit).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A process that left the group (its own setsid) still holds the pipe; its output is lost.
        }

        return _process.ExitCode;
    }

    private async Task ReadAsync(StreamReader reader, Action<string> onLine, bool firstLineIsGroup)
    {
        var first = firstLineIsGroup;
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (first)
            {
                first = false;
                if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var group) && group > 0)
                {
                    Groups.TryAdd(group, 0);
                    _group.TrySetResult(group);
                    if (_killRequested)
                    {
                        Signal(-group, SigKill);
                    }

                    continue;
                }
            }

            onLine(line);
        }
    }

    /// <summary>bubblewrap that never got as far as exec'ing the command (a hang in its setup) is killed after a while.</summary>
    private async Task KillStuckAsync()
    {
        try
        {
            await _exited.WaitAsync(StuckLimit).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            if (_group.Task.IsCompletedSuccessfully)
            {
                Signal(-_group.Task.Result, SigKill);
            }
            else
            {
                _process.Kill();
            }
        }
    }

    private static void Signal(int pid, int signal)
    {
        // Never kill(0) or kill(-1): that would reach our own group or every process.
        if (pid is not (0 or -1))
        {
            _ = NativeMethods.Kill(pid, signal);
        }
    }

    private static class NativeMethods
    {
        // A blittable signature, so DllImport needs no unsafe marshalling code; ESRCH once a group is gone is expected.
        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Kill(int pid, int signal);
    }

    /// <summary>
    /// Starts processes from one thread that lives as long as the test process. bubblewrap's
    /// <c>--die-with-parent</c> fires when the thread that forked it exits, and pool threads do
    /// exit; from this thread it fires only when the test process dies, taking its containers along.
    /// </summary>
    private static class Launcher
    {
        private static readonly BlockingCollection<(ProcessStartInfo Info, TaskCompletionSource<Process> Started)> Queue = [];

        static Launcher()
        {
            var thread = new Thread(Run) { IsBackground = true, Name = "fake-kubelet-launcher" };
            thread.Start();
        }

        public static Task<Process> StartAsync(ProcessStartInfo info)
        {
            var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
            Queue.Add((info, started));
            return started.Task;
        }

        private static void Run()
        {
            foreach (var (info, started) in Queue.GetConsumingEnumerable())
            {
                try
                {
                    started.SetResult(Process.Start(info) ?? throw new InvalidOperationException("no process started for " + info.FileName));
                }
                catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
                {
                    started.SetException(e);
                }
            }
        }
    }
}
