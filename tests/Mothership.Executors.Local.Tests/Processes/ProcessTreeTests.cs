using Mothership.Executors.Local.Processes;

namespace Mothership.Executors.Local.Tests.Processes;

/// <summary>When a process and its children count as asleep: the local sign of a sidecar's start-up being done.</summary>
public sealed class ProcessTreeTests
{
    private static ChildProcess Shell(string script) =>
        ChildProcess.Start(new LaunchSpec("/bin/sh", ["-c", script], "/", new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin" }), _ => { });

    [Fact(Timeout = 30000)]
    public async Task Sleeps_ShellWaitingForItsSleepingChild_True()
    {
        using var child = Shell("sleep 100; echo done");

        Assert.True(await EventuallyAsync(() => ProcessTree.Sleeps(child.Id)));
        await child.TerminateAsync(TimeSpan.FromSeconds(1), TimeProvider.System);
    }

    [Fact(Timeout = 30000)]
    public async Task Sleeps_ChildBusyWhileItsParentWaits_False()
    {
        using var child = Shell("sh -c 'while :; do :; done'; echo done");
        await Task.Delay(200, TestContext.Current.CancellationToken);

        // The outer shell sleeps in wait(); its child's loop keeps the tree awake.
        for (var i = 0; i < 10; i++)
        {
            Assert.False(ProcessTree.Sleeps(child.Id));
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        await child.TerminateAsync(TimeSpan.FromSeconds(1), TimeProvider.System);
    }

    [Fact]
    public void Sleeps_NoSuchProcess_False() => Assert.False(ProcessTree.Sleeps(int.MaxValue));

    private static async Task<bool> EventuallyAsync(Func<bool> check)
    {
        for (var i = 0; i < 200; i++)
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
