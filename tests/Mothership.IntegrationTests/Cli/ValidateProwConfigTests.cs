namespace Mothership.IntegrationTests.Cli;

/// <summary><c>mship validate -f config.yaml</c> on a Prow job config: known by its top-level keys, checked with the same FILE:LINE:COL lines.</summary>
public sealed class ValidateProwConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mship-prow-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<string> WriteAsync(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        await File.WriteAllTextAsync(path, text, Ct);
        return path;
    }

    [Fact(Timeout = 60_000)]
    public async Task Validate_GoodProwConfigBesideTektonFiles_Valid()
    {
        var config = await WriteAsync("config.yaml", """
            prowjob_namespace: prow
            presubmits:
              org/repo:
              - name: pull-unit
                always_run: true
                decorate: true
                spec:
                  containers:
                  - image: golang:1.22
                    command: [make, test]
              - name: pull-tekton
                agent: tekton-pipeline
                run_if_changed: ^deploy/
                pipeline_run_spec:
                  pipelineSpec:
                    tasks:
                    - name: lint
                      taskSpec: {steps: [{image: alpine, script: "true"}]}
            periodics:
            - name: ci-nightly
              cron: "0 3 * * *"
              spec: {containers: [{image: alpine, command: [date]}]}
            """);
        var example = Path.Combine(Fixtures.RepositoryRoot(), "examples", "hello-pipeline.yaml");

        var r = await MshipProcess.RunAsync(["validate", "-f", config, example], _dir, TimeSpan.FromSeconds(60), cancellationToken: Ct);

        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("", r.Stderr);
        Assert.Contains("2 file(s), 3 resource(s), 3 Prow job(s): valid", r.Stdout, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Validate_PluginsYaml_ReadAsProwsPluginConfigWithItsProblemsAtTheirLines()
    {
        var good = await WriteAsync("plugins.yaml", """
            plugins:
              octo:
                plugins: [trigger, hold, lgtm, approve, size, cat]
            triggers:
            - repos: [octo]
              only_org_members: true
            lgtm:
            - repos: [octo]
              review_acts_as_lgtm: true
            size: {s: 10, m: 30, l: 100, xl: 500, xxl: 1000}
            """);
        var bad = await WriteAsync("bad-plugins.yaml", """
            plugins:
              octo:
                plugin: [hold]
            triggers:
            - only_org_members: true
            """);

        var ok = await MshipProcess.RunAsync(["validate", "-f", good], _dir, TimeSpan.FromSeconds(60), cancellationToken: Ct);
        var refused = await MshipProcess.RunAsync(["validate", "-f", bad], _dir, TimeSpan.FromSeconds(60), cancellationToken: Ct);

        Assert.True(ok.ExitCode == 0, ok.Stderr);
        Assert.Contains("1 file(s), 0 resource(s), 1 Prow plugins file(s): valid", ok.Stdout, StringComparison.Ordinal);
        Assert.Contains($"{good}:2:3: warning: plugins.octo: Mothership has no plugin 'cat'", ok.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains($"{bad}:3:5: error: unknown field 'plugins.octo.plugin'", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains($"{bad}:5:3: error: a triggers entry needs repos", refused.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("apiVersion", refused.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Validate_BadProwConfig_EveryProblemAtFileLineColumnExit2()
    {
        var config = await WriteAsync("config.yaml", """
            presubmits:
              org/repo:
              - name: pull-unit
                always_run: true
                run_if_changed: ^pkg/
                branches: ['release-[0-9']
                spec:
                  containers:
                  - image: golang
                    comand: [make]
            periodics:
            - name: ci-nightly
              interval: 1 day
              spec: {containers: [{image: alpine}]}
            """);

        var r = await MshipProcess.RunAsync(["validate", "-f", config], _dir, TimeSpan.FromSeconds(60), cancellationToken: Ct);

        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}\n{r.Stdout}\n{r.Stderr}");
        Assert.Equal(
            [
                $"{config}:5:5: error: always_run: true and run_if_changed are mutually exclusive: remove always_run to run only for the files that match, or remove run_if_changed",
                $"{config}:6:16: error: invalid regex 'release-[0-9' in branches[0]: Invalid pattern 'release-[0-9' at offset 12. Unterminated [] set.",
                $"{config}:10:9: error: unknown field 'presubmits.org/repo[0].spec.containers[0].comand'",
                $"{config}:13:3: error: interval '1 day' is not a duration: write a Go duration such as 30m, 2h or 1h30m",
            ],
            r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("valid", r.Stdout, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Validate_ConfigAndJobConfigFile_MergedAsProwMergesThem()
    {
        var config = await WriteAsync("config.yaml", "plank: {}\npresubmits:\n  org/repo:\n  - name: pull-unit\n    spec: {containers: [{image: alpine}]}\n");
        var jobs = await WriteAsync("jobs.yaml", "presubmits:\n  org/repo:\n  - name: pull-unit\n    spec: {containers: [{image: golang}]}\n");

        var r = await MshipProcess.RunAsync(["validate", "-f", config, jobs], _dir, TimeSpan.FromSeconds(60), cancellationToken: Ct);

        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}\n{r.Stdout}\n{r.Stderr}");
        Assert.Equal(
            $"{jobs}:3:5: error: duplicate presubmit 'pull-unit': also defined at {config}:4:5 for branches that overlap; rename one or give them branches that do not\n",
            r.Stderr);
    }
}
