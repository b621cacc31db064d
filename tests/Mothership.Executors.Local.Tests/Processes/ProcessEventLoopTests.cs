using System.Globalization;
using Microsoft.Win32.SafeHandles;
using Mothership.Executors.Local.Processes;

namespace Mothership.Executors.Local.Tests.Processes;

/// <summary>One thread for every child's exit and output: codes, lines in order per child, and the pipes' odd ends.</summary>
public sealed class ProcessEventLoopTests : IDisposable
{
    private static readonly Dictionary<string, string> Env = new() { ["PATH"] = "/usr/bin:/bin" };
    private readonly string _dir = Directory.CreateTempSubdirectory("mship-loop-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory(Timeout = 60000)]
    [InlineData(true)]
    [InlineData(false)]
    public async Task WatchExit_ManyChildrenAtOnce_EachItsExitCodeAndItsLinesInOrder(bool pidfd)
    {
        var loop = new ProcessEventLoop(pidfd);
        const int children = 40, lines = 300;
        var seen = new List<string>[children];
        var exits = new Task<int>[children];
        var outputs = new Task[children];
        for (var c = 0; c < children; c++)
        {
            // Long enough lines that reads end mid-line, stdout and stderr on one pipe.
            var (pid, read) = Spawn($"i=0; while [ $i -lt {lines} ]; do echo {c}-$i-{new string('x', 100)}; echo {c}-$i-err >&2; i=$((i+1)); done; exit {c}");
            var mine = seen[c] = [];
            outputs[c] = loop.ReadLines(read, mine.Add);
            exits[c] = loop.WatchExit(pid);
        }

        var codes = await Task.WhenAll(exits);
        await Task.WhenAll(outputs);

        Assert.Equal(Enumerable.Range(0, children), codes);
        for (var c = 0; c < children; c++)
        {
            var expected = Enumerable.Range(0, lines).SelectMany(i => new[] { $"{c}-{i}-{new string('x', 100)}", $"{c}-{i}-err" });
            Assert.Equal(expected, seen[c]);
        }

        Assert.Equal(pidfd, loop.UsesPidfd);
        Assert.Equal(0, loop.Watching);
    }

    [Fact(Timeout = 30000)]
    public async Task WatchExit_KilledBySignal_128PlusTheSignal()
    {
        var loop = new ProcessEventLoop(usePidfd: true);
        var (pid, read) = Spawn("kill -9 $$");
        var output = loop.ReadLines(read, _ => { });

        Assert.Equal(137, await loop.WatchExit(pid));
        await output;
    }

    [Theory(Timeout = 30000)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public async Task WatchExit_ContinueOnLoop_OnTheLoopThreadOnlyWhenAskedAndWatchedByPidfd(bool continueOnLoop, bool pidfd)
    {
        var loop = new ProcessEventLoop(pidfd);
        var (pid, read) = Spawn("echo done");
        var output = loop.ReadLines(read, _ => { });
        var exited = loop.WatchExit(pid, continueOnLoop);

        // The thread a continuation of the exit task runs on (with the runtime's await, as the executor's are).
        var thread = await exited.ContinueWith(_ => Thread.CurrentThread.Name, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        Assert.Equal(0, await exited);
        Assert.Equal(continueOnLoop && pidfd, thread == "mship events");
        await output;
    }

    [Fact(Timeout = 30000)]
    public async Task ReadLines_ChildEndsBeforeItsGrandchildWrites_ExitFirstThenTheLaterLines()
    {
        var loop = new ProcessEventLoop(usePidfd: true);
        var go = Path.Combine(_dir, "go");
        var (pid, read) = Spawn($"(while [ ! -e {go} ]; do sleep 0.01; done; echo late) & echo early");
        var lines = new List<string>();
        var output = loop.ReadLines(read, lines.Add);

        Assert.Equal(0, await loop.WatchExit(pid));

        // The child's own line was read before its exit was reported; the grandchild still holds the pipe.
        Assert.Equal(["early"], lines);
        Assert.False(output.IsCompleted);
        await File.WriteAllTextAsync(go, "", TestContext.Current.CancellationToken);
        await output;
        Assert.Equal(["early", "late"], lines);
        Assert.Equal(0, loop.Watching);
    }

    [Fact(Timeout = 30000)]
    public async Task ReadLines_WritesEndingMidLineAndMidCharacter_WholeLines()
    {
        var loop = new ProcessEventLoop(usePidfd: true);
        var (read, write) = PosixSpawn.CreatePipe();
        var lines = new List<string>();
        var output = loop.ReadLines(read, lines.Add);
        await using (var pipe = new FileStream(new SafeFileHandle(write, ownsHandle: true), FileAccess.Write, bufferSize: 0))
        {
            byte[][] pieces = [[0xEF, 0xBB], [0xBF, (byte)'h', (byte)'e'], "llo\r"u8.ToArray(), "\nwor"u8.ToArray(), "ld\n"u8.ToArray(), [(byte)'c', 0xC3], [0xA9, (byte)'\n', (byte)'t', (byte)'a', (byte)'i', (byte)'l']];
            foreach (var piece in pieces)
            {
                // One write at a time: read together or apart, lines come out whole.
                await pipe.WriteAsync(piece, TestContext.Current.CancellationToken);
            }
        }

        await output;
        Assert.Equal(["hello", "world", "c\u00e9", "tail"], lines);
    }

    [Fact(Timeout = 30000)]
    public async Task ReadLines_AnotherReaderTakesTheBytes_WokenForNothingAndStillEndsAtEndOfFile()
    {
        var loop = new ProcessEventLoop(usePidfd: true);
        var (read, write) = PosixSpawn.CreatePipe();

        // A second open of the same pipe, read by a blocking thread: whichever reader is first gets
        // each write, so the loop is often woken for bytes that are gone (EAGAIN).
        var thief = new FileStream($"/proc/self/fd/{read}", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        var stolen = Task.Run(() =>
        {
            var total = 0;
            var buffer = new byte[7];
            int n;
            while ((n = thief.Read(buffer)) > 0)
            {
                total += n;
            }

            return total;
        });
        var lines = new List<string>();
        var output = loop.ReadLines(read, lines.Add);
        await using (var pipe = new FileStream(new SafeFileHandle(write, ownsHandle: true), FileAccess.Write, bufferSize: 0))
        {
            for (var i = 0; i < 2000; i++)
            {
                await pipe.WriteAsync("x\n"u8.ToArray(), TestContext.Current.CancellationToken);
            }
        }

        await output;
        var took = await stolen;
        await thief.DisposeAsync();

        // Every byte went to one reader or the other; the loop's lines are whole "x" or the rest of one.
        Assert.All(lines, l => Assert.True(l is "x" or "", l));
        Assert.InRange(lines.Count(l => l == "x") * 2, 0, 4000 - took);
        Assert.Equal(0, loop.Watching);
    }

    [Fact(Timeout = 30000)]
    public async Task ReadLines_CallbackThrows_TaskFaultsAndTheLoopGoesOn()
    {
        var loop = new ProcessEventLoop(usePidfd: true);
        var (pid, read) = Spawn("echo one; echo two");
        var failing = loop.ReadLines(read, _ => throw new InvalidOperationException("listener broke"));
        await loop.WatchExit(pid);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => failing);
        Assert.Equal("listener broke", e.Message);

        var (pid2, read2) = Spawn("echo fine");
        var lines = new List<string>();
        var output = loop.ReadLines(read2, lines.Add);
        Assert.Equal(0, await loop.WatchExit(pid2));
        await output;
        Assert.Equal(["fine"], lines);
    }

    [Fact(Timeout = 30000)]
    public async Task WaitAsync_BackgroundChildInTheGroupHoldsThePipe_KilledAndTheStepEnds()
    {
        var lines = new List<string>();
        using var child = ChildProcess.Start(new LaunchSpec("/bin/sh", ["-c", "sleep 1000 & echo $!"], _dir, Env, DiesWithParentThread: false), lines.Add);

        var (code, stopped) = await child.WaitAsync(TimeSpan.FromSeconds(1), TimeProvider.System, TestContext.Current.CancellationToken);

        Assert.Equal((0, false), (code, stopped));
        var sleeper = int.Parse(Assert.Single(lines), CultureInfo.InvariantCulture);
        Assert.True(await EventuallyAsync(() => !File.Exists($"/proc/{sleeper}/stat") || File.ReadAllText($"/proc/{sleeper}/stat").Contains(") Z ", StringComparison.Ordinal)));
    }

    [Fact(Timeout = 60000)]
    public async Task WaitAsync_GrandchildLeftTheGroupAndHoldsThePipe_EndsAfterTheDrainLimitWithTheOutput()
    {
        var lines = new List<string>();
        using var child = ChildProcess.Start(new LaunchSpec("/bin/sh", ["-c", "setsid sleep 1000 & echo $!; echo bye"], _dir, Env, DiesWithParentThread: false), lines.Add);

        var (code, _) = await child.WaitAsync(TimeSpan.FromSeconds(1), TimeProvider.System, TestContext.Current.CancellationToken);

        Assert.Equal(0, code);
        Assert.Equal(2, lines.Count);
        Assert.Equal("bye", lines[1]);
        Assert.Equal(0, PosixSpawn.Signal(int.Parse(lines[0], CultureInfo.InvariantCulture), 9));
    }

    private static (int Pid, int Read) Spawn(string script)
    {
        var (read, write) = PosixSpawn.CreatePipe();
        var rc = PosixSpawn.Spawn("/bin/sh", ["/bin/sh", "-c", script], Env, "/", write, write, onLongLivedThread: false, out var pid);
        PosixSpawn.CloseFd(write);
        Assert.Equal(0, rc);
        return (pid, read);
    }

    private static async Task<bool> EventuallyAsync(Func<bool> check)
    {
        for (var i = 0; i < 500; i++)
        {
            if (check())
            {
                return true;
            }

            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        return false;
    }
}
