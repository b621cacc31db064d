using Mothership.Executors.Local.Workspaces;

namespace Mothership.Executors.Local.Tests.Workspaces;

public sealed class AttemptDirectoriesTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public void Create_NoOptionalPart_OnlyHomeAndWorkspaceUnderRootUidAttempt()
    {
        var dirs = AttemptDirectories.Create(_root.Path, "run-1", "uid-1", 2, AttemptParts.None);

        Assert.Equal(_root.Combine("run-1", "uid-1.attempt-2"), dirs.Attempt);
        Assert.Equal(["uid-1.attempt-2"], Directory.EnumerateDirectories(_root.Combine("run-1")).Select(Path.GetFileName));
        Assert.Equal(["home", "workspace"], Directory.EnumerateDirectories(dirs.Attempt).Select(Path.GetFileName).Order());
        Assert.Equal(Path.Combine(dirs.Attempt, "results"), dirs.Results);
        Assert.Equal(Path.Combine(dirs.Attempt, "volumes"), dirs.Volumes);
    }

    [Fact]
    public void Create_RootWithTrailingSlash_SameRootAsWithout()
    {
        var withSlash = AttemptDirectories.Create(_root.Path + "/", "run-1", "uid-1", 0, AttemptParts.None);
        var without = AttemptDirectories.Create(_root.Path, "run-1", "uid-2", 0, AttemptParts.None);

        // Claims live beside the root (Root/../volumes): a trailing slash must not move them.
        Assert.Equal(without.Root, withSlash.Root);
        Assert.Equal(Path.GetDirectoryName(without.Root), Path.GetDirectoryName(withSlash.Root));
        Assert.Equal(AttemptDirectories.PathOf(_root.Path, "run-1", "uid-1", 0), AttemptDirectories.PathOf(_root.Path + "/", "run-1", "uid-1", 0));
    }

    [Fact]
    public void Create_AllParts_EveryOptionalDirectoryButVolumes()
    {
        var dirs = AttemptDirectories.Create(_root.Path, "run-1", "uid-1", 0, AttemptParts.All);

        Assert.Equal(["creds", "home", "results", "scripts", "steps", "workspace"], Directory.EnumerateDirectories(dirs.Attempt).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Create_AttemptDirectoryExists_StartsClean()
    {
        var first = AttemptDirectories.Create(_root.Path, "run-1", "uid-1", 0, AttemptParts.Results);
        File.WriteAllText(Path.Combine(first.Results, "old"), "stale");

        var again = AttemptDirectories.Create(_root.Path, "run-1", "uid-1", 0, AttemptParts.None);

        Assert.False(Directory.Exists(again.Results));
        Assert.Empty(Directory.EnumerateFiles(again.Attempt, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Create_Resume_KeepsWhatFinishedStepsLeft()
    {
        var first = AttemptDirectories.Create(_root.Path, "run-1", "uid-1", 0, AttemptParts.Results);
        File.WriteAllText(Path.Combine(first.Results, "done"), "1");

        var resumed = AttemptDirectories.Create(_root.Path, "run-1", "uid-1", 0, AttemptParts.Results, resume: true);

        Assert.Equal("1", File.ReadAllText(Path.Combine(resumed.Results, "done")));
    }

    [Fact]
    public void Create_Retry_KeepsTheEarlierAttempt()
    {
        var first = AttemptDirectories.Create(_root.Path, "run-1", "uid-1", 0, AttemptParts.None);
        File.WriteAllText(Path.Combine(first.Workspace, "log"), "attempt 0");

        AttemptDirectories.Create(_root.Path, "run-1", "uid-1", 1, AttemptParts.None);

        Assert.Equal("attempt 0", File.ReadAllText(Path.Combine(first.Workspace, "log")));
    }

    [Fact]
    public void PathOf_RelativeRoot_FullPath()
    {
        var path = AttemptDirectories.PathOf(Path.Combine("runs", "."), "run-1", "uid-1", 3);

        Assert.Equal(Path.Combine(Environment.CurrentDirectory, "runs", "run-1", "uid-1.attempt-3"), path);
    }
}
