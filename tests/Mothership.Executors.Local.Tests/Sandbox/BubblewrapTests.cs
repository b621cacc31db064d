using Mothership.Executors.Local.Sandbox;

namespace Mothership.Executors.Local.Tests.Sandbox;

public sealed class BubblewrapTests
{
    private static readonly string[] HostDirectories = [.. Directory.EnumerateDirectories("/").Where(d => new DirectoryInfo(d).LinkTarget is null)];

    private static readonly (string Link, string Target)[] HostLinks =
        [.. Directory.EnumerateFileSystemEntries("/").Select(e => (e, new FileInfo(e).LinkTarget)).Where(l => l.LinkTarget is not null).Select(l => (l.e, l.LinkTarget!))];

    /// <summary>Whether <paramref name="args"/> holds <paramref name="expected"/> as consecutive elements.</summary>
    private static bool HasRun(IReadOnlyList<string> args, params string[] expected) =>
        Enumerable.Range(0, args.Count - expected.Length + 1).Any(i => args.Skip(i).Take(expected.Length).SequenceEqual(expected));

    private static int IndexOfRun(IReadOnlyList<string> args, params string[] expected) =>
        Enumerable.Range(0, args.Count - expected.Length + 1).First(i => args.Skip(i).Take(expected.Length).SequenceEqual(expected));

    [Fact]
    public void Arguments_WithoutSandbox_BindsTheHostWritableButNotTektonsMountPoints()
    {
        var args = Bubblewrap.Arguments(sandbox: false, network: false, ["/ignored"], [], "/work");

        Assert.All(HostDirectories.Where(d => d is not ("/workspace" or "/tekton")), d => Assert.True(HasRun(args, "--dev-bind", d, d), d));
        Assert.All(HostLinks, l => Assert.True(HasRun(args, "--symlink", l.Target, l.Link), l.Link));
        Assert.DoesNotContain("/workspace", args);
        Assert.DoesNotContain("/tekton", args);
        Assert.DoesNotContain("--ro-bind", args);
        Assert.DoesNotContain("--unshare-all", args);
        Assert.DoesNotContain("--tmpfs", args);
        Assert.DoesNotContain("/ignored", args);
    }

    [Fact]
    public void Arguments_Sandbox_ReadOnlyHostFreshSystemDirsWritableDirsOnceAndNoNetwork()
    {
        var args = Bubblewrap.Arguments(sandbox: true, network: false, ["/tmp/attempt", "/tmp/ws", "/tmp/attempt"], [], "/workspace");

        Assert.All(HostDirectories.Where(d => d is not ("/proc" or "/dev" or "/tmp" or "/workspace" or "/tekton")),
            d => Assert.True(HasRun(args, "--ro-bind", d, d), d));
        Assert.DoesNotContain("--dev-bind", args);
        Assert.True(HasRun(args, "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"));
        // Named twice, bound once: "--bind /tmp/attempt /tmp/attempt".
        Assert.Equal(2, args.Count(a => a == "/tmp/attempt"));
        Assert.True(HasRun(args, "--bind", "/tmp/attempt", "/tmp/attempt"));
        Assert.True(HasRun(args, "--bind", "/tmp/ws", "/tmp/ws"));
        Assert.Contains("--unshare-all", args);
        Assert.DoesNotContain("--share-net", args);
    }

    [Fact]
    public void Arguments_SandboxWithNetwork_SharesTheNetworkAfterUnsharingAll()
    {
        var args = Bubblewrap.Arguments(sandbox: true, network: true, [], [], "/");

        Assert.True(HasRun(args, "--unshare-all", "--share-net"));
    }

    [Fact]
    public void Arguments_Binds_ParentsBeforeChildrenReadOnlyKept()
    {
        Bind[] binds =
        [
            new("/h/source", "/workspace/source", ReadOnly: false),
            new("/h/config", "/etc/app/config", ReadOnly: true),
            new("/h/workspace", "/workspace", ReadOnly: false),
            new("/h/results", "/tekton/results", ReadOnly: false),
        ];

        var args = Bubblewrap.Arguments(sandbox: false, network: false, [], binds, "/workspace");

        Assert.True(IndexOfRun(args, "--bind", "/h/workspace", "/workspace") < IndexOfRun(args, "--bind", "/h/source", "/workspace/source"));
        Assert.True(HasRun(args, "--ro-bind", "/h/config", "/etc/app/config"));
        Assert.True(HasRun(args, "--bind", "/h/results", "/tekton/results"));
        // The host's root comes first, so the binds land on top of it.
        Assert.True(IndexOfRun(args, "--bind", "/h/workspace", "/workspace") > args.LastIndexOf("--dev-bind"));
    }

    [Theory]
    [InlineData(false, "--dev-bind-try")]
    [InlineData(true, "--ro-bind-try")]
    public void Arguments_MountPathTheHostLacks_NearestAncestorUnfoldedOnATmpfsFirst(bool sandbox, string entryBind)
    {
        var missing = "/usr/local/mship-absent-" + Guid.NewGuid().ToString("N") + "/git";
        Bind[] binds = [new("/h/home", missing, ReadOnly: false), new("/h/ws", "/workspace", ReadOnly: false), new("/h/src", "/workspace/absent/src", ReadOnly: false)];

        var args = Bubblewrap.Arguments(sandbox, network: false, ["/h/attempt"], binds, "/workspace");

        var tmpfs = IndexOfRun(args, "--tmpfs", "/usr/local");
        Assert.True(tmpfs < IndexOfRun(args, "--bind", "/h/home", missing));
        Assert.True(HasRun(args, entryBind, "/usr/local/bin", "/usr/local/bin"));
        Assert.Equal(sandbox, HasRun(args, "--remount-ro", "/usr/local"));
        if (sandbox)
        {
            // Before the writable binds, which a tmpfs laid later would hide.
            Assert.True(tmpfs < IndexOfRun(args, "--bind", "/h/attempt", "/h/attempt"));
            Assert.True(IndexOfRun(args, "--bind", "/h/home", missing) < IndexOfRun(args, "--remount-ro", "/usr/local"));
        }

        // A mount point inside another bind is made in that bind's own directory.
        Assert.Equal(sandbox ? ["/usr/local", "/tmp"] : ["/usr/local"], TmpfsTargets(args));
    }

    [Fact]
    public void Arguments_MountPathTheHostHas_NothingUnfolded()
    {
        var args = Bubblewrap.Arguments(sandbox: true, network: false, [], [new("/h/certs", "/usr/local/bin", ReadOnly: true)], "/");

        Assert.DoesNotContain("--remount-ro", args);
        Assert.Equal(["/tmp"], TmpfsTargets(args));
    }

    private static string[] TmpfsTargets(List<string> args) => [.. args.Select((a, i) => (a, i)).Where(x => x.a == "--tmpfs").Select(x => args[x.i + 1])];

    [Fact]
    public void Arguments_Always_EndWithChdirAndTheSeparator()
    {
        var args = Bubblewrap.Arguments(sandbox: true, network: false, [], [new("/h/ws", "/workspace", false)], "/workspace/src");

        Assert.Equal(["--die-with-parent", "--chdir", "/workspace/src", "--"], args[^4..]);
    }

    [Fact]
    public void IsUsable_MissingBinary_False()
    {
        Assert.False(Bubblewrap.IsUsable("/nonexistent/bwrap-" + Guid.NewGuid().ToString("N")));
    }
}
