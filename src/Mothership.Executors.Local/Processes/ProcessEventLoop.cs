using System.Runtime.InteropServices;

namespace Mothership.Executors.Local.Processes;

/// <summary>
/// One thread that waits, with <c>epoll</c>, for every child's exit (through a <c>pidfd</c>) and
/// for output on every child's pipe, and hands out what it sees: exit codes through tasks, output
/// as lines to each pipe's callback.
/// </summary>
/// <remarks>
/// <para>
/// Before it, each running step held a reaper thread blocked in <c>waitpid</c> and one or two
/// pipe reads in the runtime's socket engine, so the end of a no-op step passed through three
/// threads before its attempt went on (bench/RESULTS.md). Here one <c>epoll_wait</c> usually
/// returns the end of a step's output and its exit together; output is processed first, so the
/// waiter finds the pipes drained when it wakes.
/// </para>
/// <para>
/// Exits: <c>pidfd_open</c> (Linux 5.3, glibc 2.36) gives a descriptor that becomes readable
/// when the child ends; the loop then reaps it with <c>waitpid(WNOHANG)</c>. Where that call is
/// missing (older kernel or C library) or refused, the child goes to a <see cref="ReaperPool"/>
/// thread instead, as before. Exit tasks complete asynchronously, their continuations on the
/// thread pool, unless the watch asks for its continuations on the loop thread
/// (<see cref="WatchExit"/>): then whoever waits for the exit goes on right there, without a
/// thread switch, and holds every other child's output and exit until its next wait.
/// </para>
/// <para>
/// Output: each pipe is read without blocking (level-triggered, one read of at most 64 KiB per
/// pipe and wake-up, so a chatty child cannot starve the others). Lines end at <c>\n</c>,
/// <c>\r\n</c> or <c>\r</c> and are decoded as UTF-8, a leading byte-order mark dropped, as
/// <see cref="StreamReader.ReadLine()"/> reads them; a last line without an ending is given at
/// end of file. The callback runs on the loop thread, in the order the child wrote its lines;
/// it must not block for long (every child's output waits meanwhile) and must never wait for
/// another child. An exception it throws faults the pipe's task and closes the pipe.
/// </para>
/// </remarks>
internal sealed partial class ProcessEventLoop
{
    private const int MaxEvents = 64;
    private const int ReadBytes = 64 * 1024;
    private const uint EpollIn = 0x001;
    private const int EpollCtlAdd = 1;
    private const int EpollCtlDel = 2;
    private const int CloseOnExec = 0x80000; // O_CLOEXEC, also EPOLL_CLOEXEC
    private const int NonBlocking = 0x800; // O_NONBLOCK
    private const int GetFlags = 3; // F_GETFL
    private const int SetFlags = 4; // F_SETFL
    private const int WaitNoHang = 1; // WNOHANG
    private const int Eintr = 4;
    private const int Eagain = 11;
    private const int Enosys = 38;

    // struct epoll_event is packed on x86-64 (12 bytes) and naturally aligned elsewhere (16).
    private static readonly int EventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int DataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;
    private static readonly Lazy<ProcessEventLoop> SharedLoop = new(() => new ProcessEventLoop(usePidfd: true));

    private readonly int _epoll;
    private readonly Lock _lock = new();
    private readonly Dictionary<long, Watch> _watches = [];
    private readonly ReaperPool _reapers = new();
    private readonly byte[] _buffer = new byte[ReadBytes];
    private long _nextId;
    private volatile bool _pidfd;

    /// <summary>A loop with its own thread; <paramref name="usePidfd"/> false sends every exit to reaper threads (the fallback, for tests).</summary>
    internal ProcessEventLoop(bool usePidfd)
    {
        _pidfd = usePidfd;
        _epoll = EpollCreate(CloseOnExec);
        if (_epoll < 0)
        {
            throw new IOException($"epoll_create1 failed: {Marshal.GetLastPInvokeErrorMessage()}");
        }

        // The thread never ends: a process is never started from it, but nothing that lives as
        // long as the executor can trip bubblewrap's --die-with-parent either.
        new Thread(Run) { IsBackground = true, Name = "mship events" }.Start();
    }

    /// <summary>The loop every <see cref="ChildProcess"/> uses.</summary>
    public static ProcessEventLoop Shared => SharedLoop.Value;

    /// <summary>Whether exits are still watched through pidfds (false once the kernel or C library refused one).</summary>
    public bool UsesPidfd => _pidfd;

    /// <summary>How many exits and pipes are being watched now.</summary>
    public int Watching
    {
        get
        {
            lock (_lock)
            {
                return _watches.Count;
            }
        }
    }

    /// <summary>
    /// The exit code of child <paramref name="pid"/> once it ended (128 + signal when killed, as
    /// shells report); the child is reaped. Each child must be watched once, and by nothing else.
    /// With <paramref name="continueOnLoop"/>, the task's continuations run on the loop's thread
    /// (where exits are watched through pidfds; a reaper's are always on the pool): they must
    /// not block, as output callbacks must not.
    /// </summary>
    public Task<int> WatchExit(int pid, bool continueOnLoop = false)
    {
        if (_pidfd)
        {
            var fd = OpenPidfd(pid, out var errno);
            if (fd >= 0)
            {
                var watched = new TaskCompletionSource<int>(continueOnLoop ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously);
                Add(new ExitWatch(fd, pid, watched));
                return watched.Task;
            }

            if (errno is Enosys or 1 /* EPERM: a seccomp filter */)
            {
                _pidfd = false;
            }
        }

        var reaped = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _reapers.Add(pid, reaped);
        return reaped.Task;
    }

    /// <summary>
    /// Reads <paramref name="fd"/> (the read end of a pipe, now owned by the loop, which closes
    /// it) until end of file and gives <paramref name="onLine"/> each line; the task completes
    /// once the last line was given.
    /// </summary>
    public Task ReadLines(int fd, Action<string> onLine)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var flags = Fcntl(fd, GetFlags, 0);
        if (flags < 0 || Fcntl(fd, SetFlags, flags | NonBlocking) < 0)
        {
            var message = Marshal.GetLastPInvokeErrorMessage();
            PosixSpawn.CloseFd(fd);
            throw new IOException($"fcntl(O_NONBLOCK) failed: {message}");
        }

        Add(new LineReader(fd, onLine, done));
        return done.Task;
    }

    private unsafe void Add(Watch watch)
    {
        lock (_lock)
        {
            watch.Id = ++_nextId;
            _watches.Add(watch.Id, watch);
        }

        var ev = stackalloc byte[16];
        *(uint*)ev = EpollIn;
        *(long*)(ev + DataOffset) = watch.Id;
        if (EpollCtl(_epoll, EpollCtlAdd, watch.Fd, ev) != 0)
        {
            var message = Marshal.GetLastPInvokeErrorMessage();
            Remove(watch);
            throw new IOException($"epoll_ctl failed: {message}");
        }
    }

    /// <summary>Forgets a watch and closes its descriptor; only the loop thread (or a failed <see cref="Add"/>) calls it.</summary>
    private unsafe void Remove(Watch watch)
    {
        lock (_lock)
        {
            _watches.Remove(watch.Id);
        }

        // Removed before closing: a child being spawned by another thread may hold a copy of the
        // descriptor until its exec, which would keep a closed descriptor's registration alive.
        var ev = stackalloc byte[16];
        _ = EpollCtl(_epoll, EpollCtlDel, watch.Fd, ev);
        PosixSpawn.CloseFd(watch.Fd);
    }

    private unsafe void Run()
    {
        var events = (byte*)NativeMemory.AllocZeroed((nuint)(MaxEvents * EventSize));
        var ready = new Watch[MaxEvents];
        while (true)
        {
            var n = EpollWait(_epoll, events, MaxEvents, -1);
            if (n < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Eintr)
                {
                    continue;
                }

                Environment.FailFast($"mship: epoll_wait failed: {Marshal.GetPInvokeErrorMessage(errno)}");
            }

            var count = 0;
            lock (_lock)
            {
                for (var i = 0; i < n; i++)
                {
                    // An id no longer known is an event of a watch removed earlier in this batch.
                    if (_watches.TryGetValue(*(long*)(events + (i * EventSize) + DataOffset), out var watch))
                    {
                        ready[count++] = watch;
                    }
                }
            }

            // Output first: whoever waits for an exit then finds the output of the child read.
            for (var i = 0; i < count; i++)
            {
                if (ready[i] is LineReader reader)
                {
                    ReadOnce(reader);
                }
            }

            for (var i = 0; i < count; i++)
            {
                if (ready[i] is ExitWatch exit)
                {
                    Reap(exit);
                }

                ready[i] = null!;
            }
        }
    }

    private unsafe void ReadOnce(LineReader reader)
    {
        nint n;
        fixed (byte* buffer = _buffer)
        {
            n = Read(reader.Fd, buffer, _buffer.Length);
        }

        if (n < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is Eagain or Eintr)
            {
                // Woken for nothing (another reader of the pipe, or a signal): level-triggered, it comes back.
                return;
            }

            Remove(reader);
            reader.Done.TrySetException(new IOException($"read from a child's pipe failed: {Marshal.GetPInvokeErrorMessage(errno)}"));
            return;
        }

        try
        {
            if (n == 0)
            {
                reader.Lines.Finish();
            }
            else
            {
                reader.Lines.Take(_buffer.AsSpan(0, (int)n));
                return;
            }
        }
        catch (Exception e)
        {
            Remove(reader);
            reader.Done.TrySetException(e);
            return;
        }

        Remove(reader);
        reader.Done.TrySetResult();
    }

    private unsafe void Reap(ExitWatch exit)
    {
        int status;
        var pid = WaitPid(exit.Pid, &status, WaitNoHang);
        if (pid == 0 || (pid < 0 && Marshal.GetLastPInvokeError() == Eintr))
        {
            // Not ended after all; the pidfd stays readable only once it has.
            return;
        }

        var errno = pid < 0 ? Marshal.GetLastPInvokeError() : 0;
        Remove(exit);
        if (pid < 0)
        {
            exit.Exited.TrySetException(new IOException($"waitpid({exit.Pid}) failed: {Marshal.GetPInvokeErrorMessage(errno)}"));
            return;
        }

        var signal = status & 0x7f;
        exit.Exited.TrySetResult(signal == 0 ? (status >> 8) & 0xff : 128 + signal);
    }

    private static int OpenPidfd(int pid, out int errno)
    {
        try
        {
            var fd = PidfdOpen(pid, 0);
            errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
            if (fd >= 0)
            {
                // pidfd_open sets close-on-exec itself (its only flag is PIDFD_NONBLOCK).
                return fd;
            }

            return -1;
        }
        catch (EntryPointNotFoundException)
        {
            // A C library older than 2.36.
            errno = Enosys;
            return -1;
        }
    }

    private abstract class Watch(int fd)
    {
        public long Id { get; set; }

        public int Fd { get; } = fd;
    }

    private sealed class ExitWatch(int fd, int pid, TaskCompletionSource<int> exited) : Watch(fd)
    {
        public int Pid { get; } = pid;

        public TaskCompletionSource<int> Exited { get; } = exited;
    }

    private sealed class LineReader(int fd, Action<string> onLine, TaskCompletionSource done) : Watch(fd)
    {
        public LineSplitter Lines { get; } = new(onLine);

        public TaskCompletionSource Done { get; } = done;
    }

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    private static partial int EpollCreate(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static unsafe partial int EpollCtl(int epfd, int op, int fd, void* ev);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    private static unsafe partial int EpollWait(int epfd, void* events, int maxEvents, int timeout);

    [LibraryImport("libc", EntryPoint = "pidfd_open", SetLastError = true)]
    private static partial int PidfdOpen(int pid, uint flags);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int cmd, int arg);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    private static unsafe partial int WaitPid(int pid, int* status, int options);
}
