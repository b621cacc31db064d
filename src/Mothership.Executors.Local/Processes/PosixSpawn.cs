using System.Runtime.InteropServices;

namespace Mothership.Executors.Local.Processes;

/// <summary>
/// <c>posix_spawn(3)</c> and the few libc calls around it, for <see cref="ChildProcess"/>.
/// </summary>
/// <remarks>
/// The layouts are glibc's on Linux (Debian 12 ships 2.36): <c>POSIX_SPAWN_SETSID</c> needs
/// 2.26 and <c>posix_spawn_file_actions_addchdir_np</c> 2.29. The opaque structures are given
/// more room than glibc uses (336 and 80 bytes on x86_64) so that another ABI cannot overrun them.
/// </remarks>
internal static unsafe partial class PosixSpawn
{
    private const string Libc = "libc";
    private const short SetSigDefault = 0x04;
    private const short SetSigMask = 0x08;
    private const short SetSid = 0x80;
    private const int CloseOnExec = 0x80000; // O_CLOEXEC
    private const int ReadOnly = 0; // O_RDONLY
    private const int AttrBytes = 1024;
    private const int ActionsBytes = 256;
    private const int SigSetBytes = 256;
    private const int Eintr = 4;

    /// <summary>Creates a pipe whose two ends are closed on exec; returns (read, write).</summary>
    public static (int Read, int Write) CreatePipe()
    {
        int* fds = stackalloc int[2];
        if (Pipe2(fds, CloseOnExec) != 0)
        {
            throw new IOException($"pipe2 failed: {Marshal.GetLastPInvokeErrorMessage()}");
        }

        return (fds[0], fds[1]);
    }

    public static void CloseFd(int fd) => _ = Close(fd);

    /// <summary>
    /// Starts <paramref name="path"/> in a new session with stdin from <c>/dev/null</c>, stdout
    /// and stderr on the given descriptors, default signal dispositions and an empty signal mask
    /// (the runtime ignores SIGPIPE, which a shell pipeline must not inherit). Returns 0 and the
    /// process id, or the errno of the failure (exec failures included: glibc reports them).
    /// </summary>
    /// <remarks>
    /// The spawn itself runs on one long-lived thread: bubblewrap's <c>--die-with-parent</c>
    /// (PR_SET_PDEATHSIG) fires when the <em>thread</em> that created the child exits, and
    /// thread-pool threads retire when idle, which would kill long steps at random. A program
    /// that asks for no such signal (<paramref name="onLongLivedThread"/> false) is started on
    /// the caller's thread: the hand-off costs two thread switches per step.
    /// </remarks>
    public static int Spawn(
        string path, IReadOnlyList<string> argv, IReadOnlyDictionary<string, string> environment,
        string workingDirectory, int stdoutFd, int stderrFd, bool onLongLivedThread, out int pid)
    {
        if (!onLongLivedThread)
        {
            return SpawnOnThisThread(path, argv, environment, workingDirectory, stdoutFd, stderrFd, out pid);
        }

        var request = new SpawnRequest(path, argv, environment, workingDirectory, stdoutFd, stderrFd);
        SpawnQueue.Value.Add(request);
        request.Done.Wait();
        request.Failure?.Throw();
        pid = request.Pid;
        return request.Result;
    }

    private sealed class SpawnRequest(string path, IReadOnlyList<string> argv, IReadOnlyDictionary<string, string> environment,
        string workingDirectory, int stdoutFd, int stderrFd)
    {
        /// <summary>Set once spawned. No spinning: a spawn takes longer than a spin, which only takes CPU from the children.</summary>
        public ManualResetEventSlim Done { get; } = new(false, spinCount: 0);

        public int Pid { get; private set; }

        public int Result { get; private set; }

        /// <summary>An exception of the spawn, rethrown on the caller's thread (never on the spawner's).</summary>
        public System.Runtime.ExceptionServices.ExceptionDispatchInfo? Failure { get; private set; }

        public void Run()
        {
            try
            {
                Result = SpawnOnThisThread(path, argv, environment, workingDirectory, stdoutFd, stderrFd, out var pid);
                Pid = pid;
            }
            catch (Exception e)
            {
                Failure = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                Done.Set();
            }
        }
    }

    private static readonly Lazy<System.Collections.Concurrent.BlockingCollection<SpawnRequest>> SpawnQueue = new(() =>
    {
        var queue = new System.Collections.Concurrent.BlockingCollection<SpawnRequest>();
        var thread = new Thread(() =>
        {
            foreach (var request in queue.GetConsumingEnumerable())
            {
                request.Run();
            }
        })
        {
            IsBackground = true,
            Name = "mship-spawner",
        };
        thread.Start();
        return queue;
    });

    private static int SpawnOnThisThread(
        string path, IReadOnlyList<string> argv, IReadOnlyDictionary<string, string> environment,
        string workingDirectory, int stdoutFd, int stderrFd, out int pid)
    {
        pid = 0;
        var strings = new List<nint>(argv.Count + environment.Count + 1);
        var argvBlock = (nint*)NativeMemory.AllocZeroed((nuint)(argv.Count + 1), (nuint)sizeof(nint));
        var envBlock = (nint*)NativeMemory.AllocZeroed((nuint)(environment.Count + 1), (nuint)sizeof(nint));
        var attr = NativeMemory.AllocZeroed(AttrBytes);
        var actions = NativeMemory.AllocZeroed(ActionsBytes);
        var sigset = NativeMemory.AllocZeroed(SigSetBytes);
        var attrReady = false;
        var actionsReady = false;
        try
        {
            var file = Marshal.StringToCoTaskMemUTF8(path);
            strings.Add(file);
            for (var i = 0; i < argv.Count; i++)
            {
                argvBlock[i] = Marshal.StringToCoTaskMemUTF8(argv[i]);
                strings.Add(argvBlock[i]);
            }

            var e = 0;
            foreach (var (key, value) in environment)
            {
                envBlock[e] = Marshal.StringToCoTaskMemUTF8(key + "=" + value);
                strings.Add(envBlock[e++]);
            }

            Check(SpawnAttrInit(attr));
            attrReady = true;
            Check(SpawnAttrSetFlags(attr, SetSid | SetSigDefault | SetSigMask));
            Check(SigFillSet(sigset) == 0 ? 0 : Marshal.GetLastPInvokeError());
            Check(SpawnAttrSetSigDefault(attr, sigset));
            Check(SigEmptySet(sigset) == 0 ? 0 : Marshal.GetLastPInvokeError());
            Check(SpawnAttrSetSigMask(attr, sigset));

            Check(FileActionsInit(actions));
            actionsReady = true;
            Check(FileActionsAddOpen(actions, 0, "/dev/null", ReadOnly, 0));
            Check(FileActionsAddDup2(actions, stdoutFd, 1));
            Check(FileActionsAddDup2(actions, stderrFd, 2));
            Check(FileActionsAddChdir(actions, workingDirectory));

            int child;
            var rc = Spawn(&child, (byte*)file, actions, attr, argvBlock, envBlock);
            if (rc == 0)
            {
                pid = child;
            }

            return rc;
        }
        finally
        {
            if (actionsReady)
            {
                _ = FileActionsDestroy(actions);
            }

            if (attrReady)
            {
                _ = SpawnAttrDestroy(attr);
            }

            foreach (var s in strings)
            {
                Marshal.FreeCoTaskMem(s);
            }

            NativeMemory.Free(sigset);
            NativeMemory.Free(actions);
            NativeMemory.Free(attr);
            NativeMemory.Free(envBlock);
            NativeMemory.Free(argvBlock);
        }
    }

    /// <summary>Blocks until <paramref name="pid"/> ends; returns its exit code, 128 + signal when killed, as shells report.</summary>
    public static int WaitForExit(int pid)
    {
        int status;
        while (WaitPid(pid, &status, 0) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno != Eintr)
            {
                throw new IOException($"waitpid({pid}) failed: {Marshal.GetPInvokeErrorMessage(errno)}");
            }
        }

        var signal = status & 0x7f;
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal;
    }

    /// <summary>Whether <paramref name="path"/> is a file this process may execute.</summary>
    public static bool IsExecutable(string path) => Access(path, 1) == 0 && !Directory.Exists(path);

    public static int Signal(int pid, int signal) => Kill(pid, signal);

    public static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    private static void Check(int rc)
    {
        if (rc != 0)
        {
            throw new IOException($"posix_spawn setup failed: {Marshal.GetPInvokeErrorMessage(rc)}");
        }
    }

    [LibraryImport(Libc, EntryPoint = "posix_spawn")]
    private static partial int Spawn(int* pid, byte* path, void* fileActions, void* attr, nint* argv, nint* envp);

    [LibraryImport(Libc, EntryPoint = "posix_spawnattr_init")]
    private static partial int SpawnAttrInit(void* attr);

    [LibraryImport(Libc, EntryPoint = "posix_spawnattr_destroy")]
    private static partial int SpawnAttrDestroy(void* attr);

    [LibraryImport(Libc, EntryPoint = "posix_spawnattr_setflags")]
    private static partial int SpawnAttrSetFlags(void* attr, short flags);

    [LibraryImport(Libc, EntryPoint = "posix_spawnattr_setsigdefault")]
    private static partial int SpawnAttrSetSigDefault(void* attr, void* sigset);

    [LibraryImport(Libc, EntryPoint = "posix_spawnattr_setsigmask")]
    private static partial int SpawnAttrSetSigMask(void* attr, void* sigset);

    [LibraryImport(Libc, EntryPoint = "sigfillset", SetLastError = true)]
    private static partial int SigFillSet(void* set);

    [LibraryImport(Libc, EntryPoint = "sigemptyset", SetLastError = true)]
    private static partial int SigEmptySet(void* set);

    [LibraryImport(Libc, EntryPoint = "posix_spawn_file_actions_init")]
    private static partial int FileActionsInit(void* actions);

    [LibraryImport(Libc, EntryPoint = "posix_spawn_file_actions_destroy")]
    private static partial int FileActionsDestroy(void* actions);

    [LibraryImport(Libc, EntryPoint = "posix_spawn_file_actions_adddup2")]
    private static partial int FileActionsAddDup2(void* actions, int fd, int newFd);

    // glibc copies the path strings of addopen and addchdir_np into the file actions.
    [LibraryImport(Libc, EntryPoint = "posix_spawn_file_actions_addopen", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int FileActionsAddOpen(void* actions, int fd, string path, int flags, uint mode);

    [LibraryImport(Libc, EntryPoint = "posix_spawn_file_actions_addchdir_np", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int FileActionsAddChdir(void* actions, string path);

    [LibraryImport(Libc, EntryPoint = "pipe2", SetLastError = true)]
    private static partial int Pipe2(int* fds, int flags);

    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [LibraryImport(Libc, EntryPoint = "waitpid", SetLastError = true)]
    private static partial int WaitPid(int pid, int* status, int options);

    [LibraryImport(Libc, EntryPoint = "access", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Access(string path, int mode);

    [LibraryImport(Libc, EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
