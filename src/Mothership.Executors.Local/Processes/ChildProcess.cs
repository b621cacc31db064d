using System.Text;

namespace Mothership.Executors.Local.Processes;

/// <summary>
/// What to start: a program, its arguments, where and with which environment.
/// <paramref name="DiesWithParentThread"/>: the program asks for a signal when the thread that
/// started it exits (bubblewrap's <c>--die-with-parent</c>), so it must be started from a thread
/// that never exits (see <c>PosixSpawn.Spawn</c>).
/// </summary>
internal sealed record LaunchSpec(
    string FileName,
    IReadOnlyList<string> Arguments,
    string WorkingDirectory,
    IReadOnlyDictionary<string, string> Environment,
    bool DiesWithParentThread = true)
{
    /// <summary>
    /// The host file of a script the launch runs by its <c>#!</c> (directly or under bubblewrap),
    /// checked for its interpreter before starting: behind <c>env</c> or bubblewrap a missing one
    /// would only show as their own terse error.
    /// </summary>
    public string? Script { get; init; }

    /// <summary>
    /// Whoever waits for the process's end goes on on the thread that saw it end (the
    /// <see cref="ProcessEventLoop"/>'s), not on a pool thread: see <see cref="LocalExecutorOptions.EndStepsOnEventThread"/>.
    /// </summary>
    public bool EndsOnEventThread { get; init; }
}

/// <summary>
/// A step or sidecar process in its own session and process group, so that stopping it reaches
/// every process it started (a script's <c>sleep 1000 &amp;</c> included).
/// </summary>
/// <remarks>
/// The child is started with <c>posix_spawn</c> and <c>POSIX_SPAWN_SETSID</c>: it calls
/// <c>setsid()</c> before exec, so its process id is also its group id and <c>kill(-pid, …)</c>
/// signals the whole tree. A new session also keeps terminal signals (Ctrl-C in
/// <c>mship run</c>) from reaching steps behind our back: stopping them is the executor's job,
/// with the grace period Tekton gives. <see cref="System.Diagnostics.Process"/> cannot do this
/// without an extra <c>setsid</c> exec per step, which the 500-task benchmark pays for.
/// When the main process ends, whatever is left in its group is killed, as Kubernetes does when
/// a container's main process exits; otherwise a leftover background child would hold the
/// output pipes open and the step would never finish.
/// The runtime reaps only the children it started itself, so this class reaps its own: one
/// thread, <see cref="ProcessEventLoop"/>, waits for every child's exit and reads every child's
/// output pipe, instead of a thread blocked in <c>waitpid</c> and two pipe readers per step.
/// </remarks>
internal sealed class ChildProcess : IDisposable
{
    private const int SigTerm = 15;
    private const int SigKill = 9;
    private const int ExitNotFound = 127;
    private const int ExitNotExecutable = 126;
    private const int Enoent = 2;
    private const int Enoexec = 8;
    private const int Etxtbsy = 26;
    private static readonly TimeSpan PipeDrainLimit = TimeSpan.FromSeconds(5);

    private readonly int _pid;
    private readonly Task<int> _exited;
    private readonly Task _stdout;
    private readonly Task _stderr;

    private ChildProcess(int pid, Task<int> exited, Task stdout, Task stderr)
    {
        _pid = pid;
        _exited = exited;
        _stdout = stdout;
        _stderr = stderr;
    }

    /// <summary>The process id, which is also its process group id; 0 when it could not be started.</summary>
    public int Id => _pid;

    public bool HasExited => _exited.IsCompleted;

    /// <summary>
    /// Starts the process with stdout and stderr on one pipe, as a container's log has them: one
    /// reader, and lines in the order the process wrote them.
    /// </summary>
    public static ChildProcess Start(LaunchSpec spec, Action<string> onOutput) => Start(spec, onOutput, null);

    /// <summary>
    /// Starts the process; the callbacks receive its output lines on the thread of
    /// <see cref="ProcessEventLoop"/> (one pipe when <paramref name="onStderr"/> is null: stderr
    /// joins stdout), so they must not block for long. A program that
    /// cannot be executed ends at once with 127 (not found) or 126, and the reason as a line of
    /// its stderr, as a shell reports it.
    /// </summary>
    public static ChildProcess Start(LaunchSpec spec, Action<string> onStdout, Action<string>? onStderr)
    {
        if (spec.Script is { } script && MissingInterpreter(script, spec.Environment) is { } missing)
        {
            return NotFound(script, missing, onStderr ?? onStdout);
        }

        var (program, errno) = Resolve(spec);
        if (program is null)
        {
            return Failed(spec, errno, onStderr ?? onStdout);
        }

        var merged = onStderr is null;
        var (outRead, outWrite) = PosixSpawn.CreatePipe();
        var (errRead, errWrite) = merged ? (-1, outWrite) : PosixSpawn.CreatePipe();
        int rc, pid;
        try
        {
            List<string> argv = [spec.FileName, .. spec.Arguments];
            rc = PosixSpawn.Spawn(program, argv, spec.Environment, spec.WorkingDirectory, outWrite, errWrite, spec.DiesWithParentThread, out pid);
            for (var retry = 1; rc == Etxtbsy && retry <= 100; retry++)
            {
                // A script just written is briefly held open for writing by the child of another
                // thread's spawn (between its fork and exec): exec says "text file busy". Go's
                // os/exec retries the same way; the window is microseconds.
                Thread.Sleep(Math.Min(retry, 10));
                rc = PosixSpawn.Spawn(program, argv, spec.Environment, spec.WorkingDirectory, outWrite, errWrite, spec.DiesWithParentThread, out pid);
            }

            if (rc == Enoexec)
            {
                // execvp's fallback, which setsid gave us before: a file without a shebang is a shell script.
                rc = PosixSpawn.Spawn("/bin/sh", ["/bin/sh", program, .. spec.Arguments], spec.Environment, spec.WorkingDirectory, outWrite, errWrite,
                    spec.DiesWithParentThread, out pid);
            }
        }
        catch
        {
            PosixSpawn.CloseFd(outRead);
            CloseIfOpen(errRead);
            throw;
        }
        finally
        {
            // The child has its copies; ours must go, or the readers would never see end of file.
            PosixSpawn.CloseFd(outWrite);
            if (!merged)
            {
                PosixSpawn.CloseFd(errWrite);
            }
        }

        if (rc != 0)
        {
            PosixSpawn.CloseFd(outRead);
            CloseIfOpen(errRead);
            return Failed(spec, rc, onStderr ?? onStdout);
        }

        var loop = ProcessEventLoop.Shared;
        var stdout = loop.ReadLines(outRead, onStdout);
        var stderr = merged ? Task.CompletedTask : loop.ReadLines(errRead, onStderr!);
        var exited = loop.WatchExit(pid, spec.EndsOnEventThread);
        if (spec.Environment.TryGetValue(AttemptProcesses.Variable, out var marker))
        {
            AttemptProcesses.Started(pid, marker, exited);
        }

        return new ChildProcess(pid, exited, stdout, stderr);
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
            await _exited.WaitAsync(stop).ConfigureAwait(false);
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

        return (await _exited.ConfigureAwait(false), stopped);
    }

    /// <summary>SIGTERM to the group, SIGKILL after the grace period; returns once the main process ended.</summary>
    public async Task TerminateAsync(TimeSpan gracePeriod, TimeProvider time)
    {
        SignalGroup(SigTerm);
        using var grace = new CancellationTokenSource(gracePeriod, time);
        try
        {
            await _exited.WaitAsync(grace.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            SignalGroup(SigKill);
            await _exited.ConfigureAwait(false);
        }
    }

    private void SignalGroup(int signal)
    {
        // Never kill(-0): that is our own group. ESRCH (no such group) is expected once everything has ended.
        if (_pid > 0)
        {
            _ = PosixSpawn.Signal(-_pid, signal);
        }
    }

    /// <summary>
    /// The file to execute: a name with a slash as is (relative to the working directory, as
    /// exec sees it), otherwise the first executable match on the step's own <c>PATH</c>, as
    /// <c>execvp</c> searches it.
    /// </summary>
    private static (string? Program, int Errno) Resolve(LaunchSpec spec)
    {
        var name = spec.FileName;
        if (name.Length == 0)
        {
            return (null, Enoent);
        }

        if (name.Contains('/'))
        {
            return (name, 0);
        }

        var path = spec.Environment.TryGetValue("PATH", out var p) ? p : "/usr/local/bin:/usr/bin:/bin";
        foreach (var dir in path.Split(':'))
        {
            var candidate = dir.Length == 0 ? name : dir + "/" + name;
            var onHost = candidate.StartsWith('/') ? candidate : Path.Combine(spec.WorkingDirectory, candidate);
            if (PosixSpawn.IsExecutable(onHost))
            {
                return (candidate.StartsWith('/') ? candidate : onHost, 0);
            }
        }

        return (null, Enoent);
    }

    private static void CloseIfOpen(int fd)
    {
        if (fd >= 0)
        {
            PosixSpawn.CloseFd(fd);
        }
    }

    private static ChildProcess Failed(LaunchSpec spec, int errno, Action<string> onStderr)
    {
        // posix_spawn's chdir fails with the same ENOENT as a missing program, and so does a
        // script whose #! names a program the host lacks: say which of the three it was.
        if (errno == Enoent && Directory.Exists(spec.WorkingDirectory) && MissingInterpreter(spec.FileName, spec.Environment) is { } missing)
        {
            return NotFound(spec.FileName, missing, onStderr);
        }

        onStderr(errno == Enoent && !Directory.Exists(spec.WorkingDirectory)
            ? $"mship: failed to execute {spec.FileName}: working directory {spec.WorkingDirectory} does not exist"
            : $"mship: failed to execute {spec.FileName}: {PosixSpawn.Describe(errno)}");
        var code = errno == Enoent ? ExitNotFound : ExitNotExecutable;
        return new ChildProcess(0, Task.FromResult(code), Task.CompletedTask, Task.CompletedTask);
    }

    /// <summary>A script whose interpreter is missing ends at once with 127, as a shell reports it, naming the interpreter.</summary>
    private static ChildProcess NotFound(string file, string interpreter, Action<string> onStderr)
    {
        onStderr($"mship: failed to execute {file}: interpreter '{interpreter}' not found");
        return new ChildProcess(0, Task.FromResult(ExitNotFound), Task.CompletedTask, Task.CompletedTask);
    }

    /// <summary>
    /// The interpreter that the <c>#!</c> line of <paramref name="file"/> names and this host lacks,
    /// or null (no such line, no such file, or the interpreter is there): the program of the line,
    /// or, for <c>#!/usr/bin/env [-S] [OPTION…] [NAME=VALUE…] PROGRAM</c>, PROGRAM as <c>env</c>
    /// looks it up in <c>PATH</c> of <paramref name="environment"/>. Programs under Tekton's own
    /// directories (<c>/workspace</c>, <c>/tekton</c>) are not checked: only the step sees them.
    /// </summary>
    internal static string? MissingInterpreter(string file, IReadOnlyDictionary<string, string> environment)
    {
        if (ShebangLine(file) is not { } line)
        {
            return null;
        }

        var words = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0 || OwnPath(words[0]))
        {
            return null;
        }

        if (!File.Exists(words[0]) || Path.GetFileName(words[0]) != "env")
        {
            return File.Exists(words[0]) ? null : words[0];
        }

        var program = words.Skip(1).FirstOrDefault(w => !w.StartsWith('-') && !w.Contains('=', StringComparison.Ordinal));
        if (program is null || OwnPath(program))
        {
            return null;
        }

        if (program.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(program) ? null : program;
        }

        var path = environment.TryGetValue("PATH", out var p) ? p : System.Environment.GetEnvironmentVariable("PATH") ?? "";
        var dirs = path.Split(':', StringSplitOptions.RemoveEmptyEntries);
        return dirs.Any(OwnPath) || dirs.Any(d => File.Exists(Path.Combine(d, program))) ? null : program;
    }

    private static bool OwnPath(string path) =>
        path.StartsWith("/workspace", StringComparison.Ordinal) || path.StartsWith("/tekton/", StringComparison.Ordinal);

    /// <summary>The <c>#!</c> line of an existing file (without the <c>#!</c>), or null when it has none.</summary>
    private static string? ShebangLine(string file)
    {
        try
        {
            using var reader = new StreamReader(file, Encoding.UTF8);
            var buffer = new char[256];
            var read = reader.ReadBlock(buffer, 0, buffer.Length);
            var head = new string(buffer, 0, read);
            if (!head.StartsWith("#!", StringComparison.Ordinal))
            {
                return null;
            }

            var end = head.IndexOf('\n', StringComparison.Ordinal);
            return (end < 0 ? head[2..] : head[2..end]).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No file to read: the program itself is missing, which the plain message says.
            return null;
        }
    }

    public void Dispose()
    {
        // Nothing native is held: the event loop closes the child's pidfd and pipes once they are done.
    }
}
