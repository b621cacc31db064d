using Mothership.Testing;

namespace Mothership.IntegrationTests.Cli;

/// <summary>
/// <c>mship ci test</c> on a real git repository with the real CLI: which jobs a pull request or a
/// push of the working tree starts, run on the local executor in the working tree itself.
/// </summary>
public sealed class CiTestCommandTests : IDisposable
{
    private const string Config = """
        presubmits:
          octo/app:
          - name: unit
            always_run: true
            spec:
              containers:
              - image: alpine
                command: [sh, -c, 'test -f wip.txt && echo "$JOB_TYPE $REPO_OWNER/$REPO_NAME $PULL_BASE_REF $PULL_PULL_SHA $PULL_HEAD_REF" > unit.out']
          - name: docs
            run_if_changed: '^docs/'
            spec:
              containers:
              - image: alpine
                command: [sh, -c, 'test -f docs/guide.md']
          - name: go
            run_if_changed: '\.go$'
            spec:
              containers:
              - image: alpine
                command: [sh, -c, 'exit 1']
          - name: e2e
            spec:
              containers:
              - image: alpine
                command: [sh, -c, 'echo e2e broke; exit 3']
        postsubmits:
          octo/app:
          - name: publish
            branches: ['^feature$']
            spec:
              containers:
              - image: alpine
                command: [sh, -c, 'echo "$JOB_TYPE $PULL_BASE_REF $PULL_BASE_SHA" > publish.out']
          - name: release
            branches: ['^main$']
            spec:
              containers:
              - image: alpine
                command: [sh, -c, 'exit 1']
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("mship-ci-test-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Repo => Path.Combine(_dir, "app");

    private string ConfigFile => Path.Combine(_dir, "config.yaml");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A repository on main with a feature branch that changed docs/, and an uncommitted file.</summary>
    private async Task<string> FeatureBranchAsync()
    {
        Directory.CreateDirectory(Repo);
        await File.WriteAllTextAsync(ConfigFile, Config, Ct);
        await GitCommand.RunAsync(Repo, "init", "-q", "-b", "main");
        await GitCommand.RunAsync(Repo, "config", "user.name", "Alice");
        await GitCommand.RunAsync(Repo, "config", "user.email", "alice@example.com");
        await GitCommand.RunAsync(Repo, "remote", "add", "origin", "https://github.com/octo/app.git");
        await File.WriteAllTextAsync(Path.Combine(Repo, "README.md"), "app\n", Ct);
        await GitCommand.RunAsync(Repo, "add", ".");
        await GitCommand.RunAsync(Repo, "commit", "-q", "-m", "initial");
        await GitCommand.RunAsync(Repo, "checkout", "-q", "-b", "feature");
        Directory.CreateDirectory(Path.Combine(Repo, "docs"));
        await File.WriteAllTextAsync(Path.Combine(Repo, "docs", "guide.md"), "# Guide\n", Ct);
        await GitCommand.RunAsync(Repo, "add", ".");
        await GitCommand.RunAsync(Repo, "commit", "-q", "-m", "Write the guide");
        await File.WriteAllTextAsync(Path.Combine(Repo, "wip.txt"), "not committed\n", Ct);
        return (await GitCommand.RunAsync(Repo, "rev-parse", "HEAD")).Trim();
    }

    private Task<MshipResult> CiTestAsync(params string[] args) =>
        MshipProcess.RunAsync(["ci", "test", .. args, "--config", ConfigFile], Repo, TimeSpan.FromSeconds(90), cancellationToken: Ct);

    [Fact(Timeout = 120_000)]
    public async Task CiTest_PullRequest_RunsThePresubmitsItsChangesStartInTheWorkingTree()
    {
        var head = await FeatureBranchAsync();

        var r = await CiTestAsync();

        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("octo/app: pull request from feature", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("run   unit: always_run", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("run   docs: run_if_changed '^docs/' matches a changed file", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("skip  go: no changed file matches run_if_changed", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("skip  e2e: runs only when asked (/test e2e)", r.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("e2e broke", r.Stdout, StringComparison.Ordinal);
        Assert.Equal($"presubmit octo/app main {head} feature", (await File.ReadAllTextAsync(Path.Combine(Repo, "unit.out"), Ct)).Trim());
    }

    [Fact(Timeout = 120_000)]
    public async Task CiTest_NamedJobThatFails_RunsOnlyItAndExitsOne()
    {
        await FeatureBranchAsync();

        var r = await CiTestAsync("e2e");

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("run   e2e: named", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("e2e broke", r.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("unit", r.Stdout, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task CiTest_Push_RunsThePostsubmitsOfTheCurrentBranch()
    {
        var head = await FeatureBranchAsync();

        var r = await CiTestAsync("--event", "push");

        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("run   publish: runs on every push", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("skip  release: not run on branch feature", r.Stdout, StringComparison.Ordinal);
        Assert.Equal($"postsubmit feature {head}", (await File.ReadAllTextAsync(Path.Combine(Repo, "publish.out"), Ct)).Trim());
    }

    [Fact(Timeout = 120_000)]
    public async Task CiTest_BadConfig_FileLineColumnAndExitTwo()
    {
        await FeatureBranchAsync();
        await File.WriteAllTextAsync(ConfigFile, "presubmits:\n  octo/app:\n  - name: unit\n    alwyas_run: true\n    spec: {containers: [{image: alpine}]}\n", Ct);

        var r = await CiTestAsync();

        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"{ConfigFile}:4:5: error: unknown field", r.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task CiTest_UnknownJob_NamesTheJobsAndExitsTwo()
    {
        await FeatureBranchAsync();

        var r = await CiTestAsync("nope");

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("octo/app has no presubmit named 'nope'; it has unit, docs, go, e2e", r.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task CiTest_InRepoConfigEnabled_RunsTheWorkingTreesProwYamlJobsToo()
    {
        await FeatureBranchAsync();
        await File.WriteAllTextAsync(ConfigFile, "in_repo_config:\n  enabled: {octo: true}\n" + Config, Ct);
        await File.WriteAllTextAsync(Path.Combine(Repo, ".prow.yaml"), """
            presubmits:
            - name: in-repo-lint
              always_run: true
              spec:
                containers:
                - image: alpine
                  command: [sh, -c, 'echo "$JOB_NAME" > lint.out']
            """, Ct);

        var r = await CiTestAsync("in-repo-lint");

        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("run   in-repo-lint: named", r.Stdout, StringComparison.Ordinal);
        Assert.Equal("in-repo-lint", (await File.ReadAllTextAsync(Path.Combine(Repo, "lint.out"), Ct)).Trim());
    }

    [Fact(Timeout = 120_000)]
    public async Task CiTest_BrokenProwYaml_FileLineColumnAndExitTwo()
    {
        await FeatureBranchAsync();
        await File.WriteAllTextAsync(ConfigFile, "in_repo_config:\n  enabled: {octo/app: true}\n" + Config, Ct);
        await File.WriteAllTextAsync(Path.Combine(Repo, ".prow.yaml"), "presubmits:\n- name: unit\n  spec: {containers: [{image: alpine}]}\n", Ct);

        var r = await CiTestAsync();

        Assert.Equal(2, r.ExitCode);
        Assert.Contains(".prow.yaml:2:3: error: duplicate presubmit 'unit': also defined at", r.Stderr, StringComparison.Ordinal);
    }
}
