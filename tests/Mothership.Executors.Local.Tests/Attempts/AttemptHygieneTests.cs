using System.Collections.Immutable;
using System.Globalization;
using Mothership.Engine.Execution;
using Mothership.Executors.Local.Workspaces;
using Mothership.Model.Tekton;

namespace Mothership.Executors.Local.Tests.Attempts;

/// <summary>
/// What an attempt leaves on this machine (issue 13, findings 4, 5 and 12): processes that
/// escaped their step's group, Secret files and their modes, run folders, paths that climb out
/// of their volume, a full disk. Each runs a real attempt through <see cref="LocalTaskExecutor"/>.
/// </summary>
public sealed class AttemptHygieneTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Root => _dir.Combine("work", "runs");

    public void Dispose() => _dir.Dispose();

    private LocalTaskExecutor Executor(long minFree = 0, string instance = "mothership", bool reuse = false) =>
        new(new LocalExecutorOptions { Root = Root, MinFreeBytes = minFree, Instance = instance, ReuseRunFolders = reuse });

    private const string Noop = "  steps: [{name: s, image: bash, command: [bash, -c, 'true']}]\n";

    private string[] KeptRunFolders() => Directory.Exists(Root) ? Directory.GetDirectories(Root, ".spare-run.*") : [];

    /// <summary>A one-step attempt of run <paramref name="run"/> that writes what its workspace and home hold, and where it ran, to <paramref name="probe"/>.</summary>
    private static TaskRunRequest Probe(string run, string uid, string probe) =>
        Request($"  steps: [{{name: s, image: bash, command: [bash, -c, 'ls -A . \"$HOME\" > {probe}; pwd >> {probe}']}}]\n", uid: uid) with { PipelineRunUid = run };

    private static TaskRunRequest Request(string specBody, string uid = "tr-1", TimeSpan? timeout = null, params WorkspaceBinding[] workspaces) =>
        TaskRequests.Request("apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: t}\nspec:\n" + specBody, uid: uid) with
        {
            Workspaces = [.. workspaces],
            Timeout = timeout,
            GracePeriod = TimeSpan.FromSeconds(1),
        };

    private static async Task<bool> GoneAsync(int pid)
    {
        for (var i = 0; i < 50; i++)
        {
            // Killed and reaped, or killed and not yet reaped by whoever inherited it.
            var stat = $"/proc/{pid}/stat";
            if (!File.Exists(stat) || File.ReadAllText(stat).Split(')')[^1].TrimStart().StartsWith('Z'))
            {
                return true;
            }

            await Task.Delay(100, Ct);
        }

        return false;
    }

    private async Task<int> PidWrittenAsync(string file)
    {
        for (var i = 0; i < 50 && !(File.Exists(file) && File.ReadAllText(file).EndsWith('\n')); i++)
        {
            await Task.Delay(100, Ct);
        }

        return int.Parse(File.ReadAllText(file).Trim(), CultureInfo.InvariantCulture);
    }

    [Fact(Timeout = 30_000)]
    public async Task RunAsync_StepLeavesASetsidChild_KilledWhenTheAttemptSucceeds()
    {
        var pidFile = _dir.Combine("daemon.pid");
        var outcome = await Executor().RunAsync(Request($$"""
              steps:
                - name: start-daemon
                  script: |
                    setsid sh -c 'echo $$ > {{pidFile}}; exec sleep 300' </dev/null >/dev/null 2>&1 &
                    while [ ! -s {{pidFile}} ]; do sleep 0.05; done
            """), NoListener.Instance, Ct);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.True(await GoneAsync(await PidWrittenAsync(pidFile)), "the setsid child outlived the attempt");
    }

    [Fact(Timeout = 30_000)]
    public async Task RunAsync_AttemptTimesOutWithASetsidChild_ChildKilledToo()
    {
        var pidFile = _dir.Combine("daemon.pid");
        var outcome = await Executor().RunAsync(Request($$"""
              steps:
                - name: hang
                  script: |
                    setsid sh -c 'echo $$ > {{pidFile}}; exec sleep 300' </dev/null >/dev/null 2>&1 &
                    sleep 300
            """, timeout: TimeSpan.FromSeconds(2)), NoListener.Instance, Ct);

        Assert.Equal(TaskRunPhase.TimedOut, outcome.Phase);
        Assert.True(await GoneAsync(await PidWrittenAsync(pidFile)), "the setsid child outlived the timed-out attempt");
    }

    [Fact(Timeout = 30_000)]
    public async Task RunAsync_SecretWorkspace_FilesOwnerOnlyInAnOwnerOnlyRunFolderThatGoesWithTheRun()
    {
        var executor = Executor();
        var request = TaskRequests.Request("""
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: t}
            spec:
              workspaces: [{name: creds}, {name: settings}]
              steps:
                - {name: s, script: 'cat $(workspaces.creds.path)/token'}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: creds}
            stringData: {token: s3cr3t}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings}
            data: {level: debug}
            """, uid: "tr-1") with
        {
            Workspaces =
            [
                new WorkspaceBinding { Name = "creds", Source = new VolumeSource { SecretName = "creds" } },
                new WorkspaceBinding { Name = "settings", Source = new VolumeSource { ConfigMapName = "settings" } },
            ],
        };

        var outcome = await executor.RunAsync(request, NoListener.Instance, Ct);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        var run = Path.Combine(Root, "tr-1");
        var secret = Directory.GetFiles(run, "token", SearchOption.AllDirectories).Single();
        var config = Directory.GetFiles(run, "level", SearchOption.AllDirectories).Single();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(secret));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(config));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(run));

        Assert.Equal(["tr-1"], await executor.ListHoldingRunsAsync(Ct));
        Assert.Equal(1, await executor.ReleaseRunAsync("tr-1", Ct));
        Assert.False(Directory.Exists(run));
        Assert.Empty(await executor.ListHoldingRunsAsync(Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task ReleaseRunAsync_BareAndWrittenAttempts_RemovesBothAndNothingBehindALink()
    {
        var executor = Executor();
        var written = await executor.RunAsync(
            Request("  steps: [{name: s, script: 'mkdir -p deep/er && echo x > deep/er/f && echo y > $HOME/.rc'}]\n", uid: "tr-1") with { PipelineRunUid = "run-1" },
            NoListener.Instance, Ct);
        var bare = await executor.RunAsync(Request("  steps: [{name: s, image: bash, command: [bash, -c, 'true']}]\n", uid: "tr-2") with { PipelineRunUid = "run-1" }, NoListener.Instance, Ct);
        // A link a step could leave in the run's folder, to a directory shaped like a bare attempt.
        var outside = _dir.Combine("outside");
        Directory.CreateDirectory(Path.Combine(outside, "home"));
        Directory.CreateDirectory(Path.Combine(outside, "workspace"));
        var run = Path.Combine(Root, "run-1");
        File.CreateSymbolicLink(Path.Combine(run, "linked.attempt-0"), outside);

        Assert.Equal(TaskRunPhase.Succeeded, bare.Phase);
        Assert.Equal(TaskRunPhase.Succeeded, written.Phase);
        // tr-2's directory, bare, is a spare now; tr-1's holds what its step wrote.
        Assert.Single(Directory.GetDirectories(run, ".spare.tr-2.attempt-0"));
        Assert.True(File.Exists(Path.Combine(run, "tr-1.attempt-0", "workspace", "deep", "er", "f")));
        Assert.Equal(1, await executor.ReleaseRunAsync("run-1", Ct));
        Assert.False(Directory.Exists(run));
        Assert.True(Directory.Exists(Path.Combine(outside, "home")));
        Assert.True(Directory.Exists(Path.Combine(outside, "workspace")));
    }

    [Fact(Timeout = 30_000)]
    public async Task RunAsync_SucceededBareAttemptThenAnother_SecondRunsInTheFirstsDirectoriesEmptyAgain()
    {
        var executor = Executor();
        var probe = _dir.Combine("probe");
        var run = Path.Combine(Root, "run-1");

        var first = await executor.RunAsync(Request(Noop, uid: "tr-1") with { PipelineRunUid = "run-1" }, NoListener.Instance, Ct);
        var spare = Directory.GetDirectories(run, ".spare.*").Single();
        var second = await executor.RunAsync(
            Request($"  steps: [{{name: s, image: bash, command: [bash, -c, 'ls -A . \"$HOME\" > {probe}; pwd >> {probe}; echo x > left']}}]\n", uid: "tr-2")
                with { PipelineRunUid = "run-1" },
            NoListener.Instance, Ct);

        Assert.Equal(TaskRunPhase.Succeeded, first.Phase);
        Assert.Equal(TaskRunPhase.Succeeded, second.Phase);
        Assert.False(Directory.Exists(spare));
        var lines = File.ReadAllLines(probe);
        // ls -A of two empty directories prints their headers only; the step ran in tr-2's own attempt.
        Assert.DoesNotContain(lines, l => l.Length > 0 && !l.EndsWith(':') && !l.StartsWith('/'));
        Assert.Equal(Path.Combine(run, "tr-2.attempt-0", "workspace"), lines[^1]);
        // The second attempt wrote a file: its directory is not a spare, it stays until the run goes.
        Assert.True(File.Exists(Path.Combine(run, "tr-2.attempt-0", "workspace", "left")));
        Assert.Empty(Directory.GetDirectories(run, ".spare.*"));
        Assert.Equal(1, await executor.ReleaseRunAsync("run-1", Ct));
        Assert.False(Directory.Exists(run));
    }

    [Theory(Timeout = 30_000)]
    [InlineData("touch \"$HOME/.rc\"")] // a hidden file in home
    [InlineData("mkdir sub")] // a directory in the workspace
    [InlineData("chmod 700 .")] // the workspace's mode
    [InlineData("chmod 700 ..")] // the attempt directory's mode
    [InlineData("touch ../extra")] // a third entry beside home and workspace
    [InlineData("cd .. && rmdir home && ln -s workspace home")] // a link, to an empty directory, in home's place
    [InlineData("cd .. && rmdir home && touch home")] // a file in home's place
    [InlineData("cd .. && rmdir home")] // home gone
    public async Task RunAsync_SucceededAttemptThatChangedItsDirectories_IsNoSpare(string script)
    {
        var executor = Executor();
        var run = Path.Combine(Root, "run-1");

        var outcome = await executor.RunAsync(
            Request($"  steps: [{{name: s, image: bash, command: [bash, -c, '{script.Replace("'", "''", StringComparison.Ordinal)}']}}]\n", uid: "tr-1")
                with { PipelineRunUid = "run-1" },
            NoListener.Instance, Ct);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Empty(Directory.GetDirectories(run, ".spare.*"));
        Assert.True(Directory.Exists(Path.Combine(run, "tr-1.attempt-0")));
    }

    [Fact(Timeout = 30_000)]
    public async Task ReleaseRunAsync_ReusingFolders_BareRunIsKeptAndTheNextRunStartsInItEmpty()
    {
        var executor = Executor(reuse: true);
        var probe = _dir.Combine("probe");

        var first = await executor.RunAsync(Request(Noop, uid: "tr-1") with { PipelineRunUid = "run-1" }, NoListener.Instance, Ct);
        Assert.Equal(1, await executor.ReleaseRunAsync("run-1", Ct));
        var kept = Assert.Single(KeptRunFolders());
        // Kept folders are no runs: a sweep neither lists nor removes them.
        Assert.Empty(await executor.ListHoldingRunsAsync(Ct));
        Assert.True(Directory.Exists(kept));
        var second = await executor.RunAsync(Probe("run-2", "tr-2", probe), NoListener.Instance, Ct);

        Assert.Equal(TaskRunPhase.Succeeded, first.Phase);
        Assert.Equal(TaskRunPhase.Succeeded, second.Phase);
        Assert.False(Directory.Exists(Path.Combine(Root, "run-1")));
        Assert.False(Directory.Exists(kept));
        var run = Path.Combine(Root, "run-2");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(run));
        Assert.Equal(["run-2"], await executor.ListHoldingRunsAsync(Ct));
        var lines = File.ReadAllLines(probe);
        Assert.DoesNotContain(lines, l => l.Length > 0 && !l.EndsWith(':') && !l.StartsWith('/'));
        Assert.Equal(Path.Combine(run, "tr-2.attempt-0", "workspace"), lines[^1]);
        Assert.Equal(1, await executor.ReleaseRunAsync("run-2", Ct));
        Assert.Single(KeptRunFolders());
    }

    [Theory(Timeout = 30_000)]
    [InlineData("echo x > left")] // a written attempt stays in the run's folder
    [InlineData("exit 3")] // a failed one too
    [InlineData("touch ../../extra")] // something beside the attempts
    [InlineData("ln -s \"$PWD\" ../../linked")] // a link to a directory beside them
    public async Task ReleaseRunAsync_ReusingFoldersRunWithAnythingButBareAttempts_IsRemoved(string script)
    {
        var executor = Executor(reuse: true);

        await executor.RunAsync(Request(Noop, uid: "tr-1") with { PipelineRunUid = "run-1" }, NoListener.Instance, Ct);
        await executor.RunAsync(Request($"  steps: [{{name: s, image: bash, command: [bash, -c, '{script}']}}]\n", uid: "tr-2") with { PipelineRunUid = "run-1" }, NoListener.Instance, Ct);

        Assert.Equal(1, await executor.ReleaseRunAsync("run-1", Ct));
        Assert.False(Directory.Exists(Path.Combine(Root, "run-1")));
        Assert.Empty(KeptRunFolders());
    }

    [Fact(Timeout = 30_000)]
    public async Task RunAsync_KeptSpareWrittenMeanwhile_IsNotUsedAndItsFolderNotKeptAgain()
    {
        var executor = Executor(reuse: true);
        var probe = _dir.Combine("probe");
        await executor.RunAsync(Request(Noop, uid: "tr-1") with { PipelineRunUid = "run-1" }, NoListener.Instance, Ct);
        await executor.ReleaseRunAsync("run-1", Ct);
        // What a process left over from run-1 could still do in the spare's workspace.
        var spare = Directory.GetDirectories(Assert.Single(KeptRunFolders()), ".spare.*").Single();
        File.WriteAllText(Path.Combine(spare, "workspace", "planted"), "x");

        var second = await executor.RunAsync(Probe("run-2", "tr-2", probe), NoListener.Instance, Ct);

        Assert.Equal(TaskRunPhase.Succeeded, second.Phase);
        var run = Path.Combine(Root, "run-2");
        Assert.DoesNotContain(File.ReadAllLines(probe), l => l.Contains("planted", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(run, Path.GetFileName(spare), "workspace", "planted")));
        Assert.Equal(1, await executor.ReleaseRunAsync("run-2", Ct));
        Assert.False(Directory.Exists(run));
        Assert.Empty(KeptRunFolders());
    }

    [Theory(Timeout = 30_000)]
    [InlineData("mode")] // opened to others while it was kept
    [InlineData("link")] // a link to a directory elsewhere in its place
    public async Task RunAsync_KeptFolderChangedMeanwhile_NextRunGetsAFreshOwnerOnlyFolder(string change)
    {
        var executor = Executor(reuse: true);
        var probe = _dir.Combine("probe");
        await executor.RunAsync(Request(Noop, uid: "tr-1") with { PipelineRunUid = "run-1" }, NoListener.Instance, Ct);
        await executor.ReleaseRunAsync("run-1", Ct);
        var kept = Assert.Single(KeptRunFolders());
        var elsewhere = _dir.Combine("elsewhere");
        if (change == "mode")
        {
            File.SetUnixFileMode(kept, RunDirectories.FolderMode | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }
        else
        {
            Directory.Move(kept, elsewhere);
            Directory.CreateSymbolicLink(kept, elsewhere);
        }

        var second = await executor.RunAsync(Probe("run-2", "tr-2", probe), NoListener.Instance, Ct);

        Assert.Equal(TaskRunPhase.Succeeded, second.Phase);
        var run = Path.Combine(Root, "run-2");
        Assert.Null(new DirectoryInfo(run).LinkTarget);
        Assert.Equal(RunDirectories.FolderMode, File.GetUnixFileMode(run));
        Assert.Equal(Path.Combine(run, "tr-2.attempt-0", "workspace"), File.ReadAllLines(probe)[^1]);
        Assert.Empty(KeptRunFolders());
        if (change == "link")
        {
            // The link went, not what it pointed to.
            Assert.True(Directory.Exists(elsewhere));
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task ListHoldingRunsAsync_FoldersAnEarlierProcessKept_RemovedForItsInstanceOnly()
    {
        var earlier = Executor(reuse: true);
        await earlier.RunAsync(Request(Noop, uid: "tr-1") with { PipelineRunUid = "run-1" }, NoListener.Instance, Ct);
        await earlier.ReleaseRunAsync("run-1", Ct);
        var kept = Assert.Single(KeptRunFolders());

        Assert.Empty(await Executor(instance: "mship-run").ListHoldingRunsAsync(Ct));
        Assert.True(Directory.Exists(kept));
        Assert.Empty(await Executor(reuse: true).ListHoldingRunsAsync(Ct));
        Assert.False(Directory.Exists(kept));
    }

    [Fact(Timeout = 30_000)]
    public async Task ReleaseRunAsync_NotReusingFolders_BareRunIsRemoved()
    {
        var executor = Executor();

        await executor.RunAsync(Request(Noop, uid: "tr-1") with { PipelineRunUid = "run-1" }, NoListener.Instance, Ct);

        Assert.Equal(1, await executor.ReleaseRunAsync("run-1", Ct));
        Assert.False(Directory.Exists(Path.Combine(Root, "run-1")));
        Assert.Empty(KeptRunFolders());
    }

    [Fact(Timeout = 30_000)]
    public async Task RunAsync_FailedBareAttempt_DirectoryStaysForInspection()
    {
        var executor = Executor();

        var outcome = await executor.RunAsync(
            Request("  steps: [{name: s, image: bash, command: [bash, -c, 'exit 3']}]\n", uid: "tr-1") with { PipelineRunUid = "run-1" }, NoListener.Instance, Ct);

        Assert.Equal(TaskRunPhase.Failed, outcome.Phase);
        Assert.True(Directory.Exists(Path.Combine(Root, "run-1", "tr-1.attempt-0", "workspace")));
        Assert.Empty(Directory.GetDirectories(Path.Combine(Root, "run-1"), ".spare.*"));
    }

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("../work")]
    [InlineData("a/b")]
    public async Task ReleaseRunAsync_UidThatIsNotOnePlainName_RemovesNothing(string uid)
    {
        Directory.CreateDirectory(_dir.Combine("work", "runs", "a", "b"));

        Assert.Equal(0, await Executor().ReleaseRunAsync(uid, Ct));
        Assert.True(Directory.Exists(_dir.Combine("work", "runs", "a", "b")));
    }

    [Fact(Timeout = 30_000)]
    public async Task ListHoldingRunsAsync_AnotherInstancesRunFolder_NotListedSoNotSwept()
    {
        var outcome = await Executor(instance: "mship-run").RunAsync(Request("  steps: [{name: s, script: 'true'}]\n"), NoListener.Instance, Ct);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal(["tr-1"], await Executor(instance: "mship-run").ListHoldingRunsAsync(Ct));
        Assert.Empty(await Executor().ListHoldingRunsAsync(Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task RunAsync_TooLittleFreeSpace_FailsBeforeAnythingRunsWithTheReason()
    {
        var marker = _dir.Combine("ran");
        var outcome = await Executor(minFree: long.MaxValue).RunAsync(Request($"  steps: [{{name: s, script: 'touch {marker}'}}]\n"), NoListener.Instance, Ct);

        Assert.Equal(TaskRunPhase.Failed, outcome.Phase);
        Assert.Contains("MiB free where attempts run", outcome.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(marker));
    }

    public static TheoryData<string, string> Escapes => new()
    {
        { "subPath", "../../../../../../escaped" },
        { "subPath", "/escaped" },
        { "claim", "../../escaped" },
    };

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Escapes))]
    public async Task RunAsync_SubstitutedPathClimbingOutOfItsVolume_FailsAndWritesNothingOutside(string field, string value)
    {
        // Validation refuses these as written; a value substituted from a param reaches the executor.
        var binding = field == "subPath"
            ? new WorkspaceBinding { Name = "w", Source = new VolumeSource { EmptyDir = true }, SubPath = value }
            : new WorkspaceBinding { Name = "w", Source = new VolumeSource { ClaimName = value } };
        var outcome = await Executor().RunAsync(Request("""
              workspaces: [{name: w}]
              steps:
                - {name: s, script: 'touch $(workspaces.w.path)/planted'}
            """, workspaces: binding), NoListener.Instance, Ct);

        Assert.Equal(TaskRunPhase.Failed, outcome.Phase);
        Assert.Matches(field == "subPath" ? "subPath .* leaves the volume|subPath .*must" : "claim", outcome.Message);
        Assert.Empty(Directory.GetFiles(_dir.Path, "planted", SearchOption.AllDirectories));
        Assert.False(Directory.Exists(_dir.Combine("escaped")));
        Assert.False(Directory.Exists("/escaped"));
    }

    [Fact(Timeout = 30_000)]
    public async Task RunAsync_ClaimWhoseFolderIsALinkOutOfTheVolumes_FailsAndWritesNothingThere()
    {
        var outside = _dir.Combine("outside");
        Directory.CreateDirectory(outside);
        Directory.CreateDirectory(_dir.Combine("work", "volumes"));
        File.CreateSymbolicLink(_dir.Combine("work", "volumes", "data"), outside);

        var outcome = await Executor().RunAsync(Request("""
              workspaces: [{name: w}]
              steps:
                - {name: s, script: 'touch $(workspaces.w.path)/planted'}
            """, workspaces: new WorkspaceBinding { Name = "w", Source = new VolumeSource { ClaimName = "data" } }), NoListener.Instance, Ct);

        Assert.Equal(TaskRunPhase.Failed, outcome.Phase);
        Assert.Contains("leaves the volume", outcome.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(outside));
    }

    [Theory(Timeout = 30_000)]
    [InlineData("/usr/bin/bwrap")]
    [InlineData("/nonexistent/bwrap")] // bubblewrap missing: the step runs on the host
    public async Task RunAsync_StepSetsHomeToTheImagesHome_WritesItsDotfilesInAPrivateHomeNotTheHosts(string bubblewrap)
    {
        Assert.SkipWhen(bubblewrap == "/usr/bin/bwrap" && !File.Exists(bubblewrap), "bubblewrap is not installed (.ci/run installs it)");
        // An absolute HOME that exists on this host stands for the host's /root: a catalog task
        // (git-cli) sets HOME=/root and runs `git config --global`.
        var hostHome = _dir.Combine("host-home");
        Directory.CreateDirectory(hostHome);
        var probe = _dir.Combine("probe");
        var executor = new LocalTaskExecutor(new LocalExecutorOptions { Root = Root, MinFreeBytes = 0, BubblewrapPath = bubblewrap });

        var outcome = await executor.RunAsync(Request($$"""
              steps:
                - name: s
                  env: [{name: HOME, value: {{hostHome}}}]
                  script: 'echo "[user]" > "$HOME/.gitconfig" && cat "$HOME/.gitconfig" > {{probe}}'
            """), NoListener.Instance, Ct);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal("[user]\n", File.ReadAllText(probe));
        Assert.Empty(Directory.GetFileSystemEntries(hostHome));
    }

    private sealed class NoListener : ITaskRunListener
    {
        public static readonly NoListener Instance = new();

        public void OnLog(TaskRunRequest request, string container, string line)
        {
        }

        public void OnStep(TaskRunRequest request, StepState step)
        {
        }
    }
}
