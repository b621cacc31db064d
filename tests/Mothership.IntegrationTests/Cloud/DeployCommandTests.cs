using System.Text.Json.Nodes;

namespace Mothership.IntegrationTests.Cloud;

/// <summary>
/// <c>mship deploy</c>, <c>render</c> and <c>export</c> end to end. helm and kubectl cannot run
/// here (no cluster): the real-deploy tests put recording stand-ins first on PATH.
/// </summary>
public sealed class DeployCommandTests : IDisposable
{
    private readonly SiteRepositoryFixture _repo = SiteRepositoryFixture.Small();
    private readonly string _work = Directory.CreateTempSubdirectory("mship-deploy-").FullName;

    public void Dispose()
    {
        _repo.Dispose();
        Directory.Delete(_work, recursive: true);
    }

    private string State => Path.Combine(_work, "state");

    private Task<MshipResult> Mship(string[] args, IReadOnlyDictionary<string, string>? environment = null) =>
        MshipProcess.RunAsync(args, workingDirectory: _work, cancellationToken: TestContext.Current.CancellationToken, environment: environment);

    private Task<MshipResult> Deploy(string site, params string[] extra) =>
        Mship(["deploy", "--repo", _repo.Root, "--site", site, "--state", State, .. extra], FakeTools());

    private string HelmLog => Path.Combine(_work, "helm.log");

    /// <summary>helm and kubectl stand-ins: helm logs its arguments; kubectl reports every job complete and every pod ready, except a failed job of <paramref name="failing"/>.</summary>
    private Dictionary<string, string> FakeTools(string? failing = null)
    {
        var bin = Path.Combine(_work, "bin");
        Directory.CreateDirectory(bin);
        File.WriteAllText(Path.Combine(bin, "helm"), $"#!/usr/bin/env bash\necho \"helm $*\" >> '{HelmLog}'\n");
        File.WriteAllText(Path.Combine(bin, "kubectl"), $$"""
            #!/usr/bin/env bash
            echo "kubectl $*" >> '{{HelmLog}}'
            case "$*" in
              *"get jobs -l release_group={{failing ?? "-"}} "*Failed*) echo "{{failing}}-db-sync True" ;;
              *"get jobs"*Failed*) echo "db-init " ;;
              *"get jobs"*) echo "db-init 1" ;;
              *"get pods"*) echo "api-0 ReplicaSet True"; echo "db-init-x Job " ;;
            esac
            """);
        if (!OperatingSystem.IsWindows())
        {
            foreach (var tool in new[] { "helm", "kubectl" })
            {
                File.SetUnixFileMode(Path.Combine(bin, tool), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        return new() { ["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}" };
    }

    [Fact(Timeout = 120_000)]
    public async Task Deploy_DryRun_DiffsValuesWithoutHelmAndRecordsNothing()
    {
        var r = await Mship(["deploy", "--repo", _repo.Root, "--site", "dev-a", "--state", State, "--dry-run"]);

        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("[ident/diff] ident: first deploy to site dev-a; every value is new:", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("[ident/diff] +   debug: false", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("[ident/diff] +   admin_password: ********", r.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("[image/helm-upgrade] dry run: helm upgrade --install image charts/image --namespace openstack not called", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("Succeeded", r.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(State, "dev-a", "deployed", "ident.yaml")));
    }

    [Fact(Timeout = 60_000)]
    public async Task Deploy_WithoutHelmOnPath_IsAClearUsageError()
    {
        if (File.Exists("/usr/bin/helm") || File.Exists("/usr/local/bin/helm"))
        {
            Assert.Skip("helm is installed on this machine");
        }

        var r = await Mship(["deploy", "--repo", _repo.Root, "--site", "dev-a"], new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin" });

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("'helm' is not on PATH", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("--dry-run", r.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Deploy_WithHelm_InstallsInOrderWaitsTestsAndRecords()
    {
        var r = await Deploy("prod-b");

        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        var calls = File.ReadAllLines(HelmLog);
        var upgrades = calls.Where(c => c.StartsWith("helm upgrade", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, upgrades.Count);
        Assert.StartsWith($"helm upgrade --install db {_repo.Root}/charts/db --namespace infra --create-namespace --values ", upgrades[0], StringComparison.Ordinal);
        Assert.EndsWith("--timeout 15m --kube-context prod-b", upgrades[0], StringComparison.Ordinal);
        Assert.StartsWith("helm upgrade --install ident", upgrades[1], StringComparison.Ordinal);
        Assert.StartsWith("helm upgrade --install image", upgrades[2], StringComparison.Ordinal);
        Assert.DoesNotContain(upgrades, u => u.Contains("--wait", StringComparison.Ordinal));
        Assert.Contains(calls, c => c.StartsWith("kubectl --namespace openstack --context prod-b get pods -l release_group=ident", StringComparison.Ordinal));
        Assert.Contains("helm test ident --namespace openstack --timeout 15m --logs --kube-context prod-b", calls);
        Assert.Contains("helm status image --namespace openstack --kube-context prod-b", calls);
        Assert.Equal("size: 20Gi\n", File.ReadAllText(Path.Combine(State, "prod-b", "deployed", "db.yaml")));

        // The next dry run compares against what was deployed.
        _repo.Write("values/regions/b/db.yaml", "size: 40Gi\n");
        var dry = await Mship(["deploy", "--repo", _repo.Root, "--site", "prod-b", "--state", State, "--dry-run"]);
        Assert.Contains("[db/diff] -size: 20Gi", dry.Stdout, StringComparison.Ordinal);
        Assert.Contains("[db/diff] +size: 40Gi", dry.Stdout, StringComparison.Ordinal);
        Assert.Contains("[image/diff] image: values unchanged since the last deploy", dry.Stdout, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Deploy_ValuesWithShellAndKubernetesSyntax_ReachHelmUnchanged()
    {
        // $(NAME) and $$ are what Kubernetes expands in env values; backquotes and quotes what a shell would.
        _repo.Write("values/regions/b/db.yaml", "size: 20Gi\nnote: 'pa$$w0rd $(HOME) `id` \"dq\" MOTHERSHIP_VALUES_END'\n");

        var r = await Deploy("prod-b");

        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        var deployed = File.ReadAllText(Path.Combine(State, "prod-b", "deployed", "db.yaml"));
        // As the renderer writes it (double-quoted YAML), byte for byte.
        Assert.Contains("note: \"pa$$w0rd $(HOME) `id` \\\"dq\\\" MOTHERSHIP_VALUES_END\"\n", deployed, StringComparison.Ordinal);
        Assert.EndsWith("\n", deployed, StringComparison.Ordinal);
        Assert.DoesNotContain("\n\n", deployed, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Deploy_FromTo_SkipsUnchangedServicesButRunsTheirDependents()
    {
        _repo.Write("values/global/image.yaml", "replicas: 5\n");
        _repo.Commit("more image replicas");

        var r = await Deploy("prod-a", "--from", "HEAD~1", "--to", "HEAD", "-o", "json");

        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        var run = JsonNode.Parse(r.Stdout)!;
        Assert.Equal("Completed", run["status"]!["conditions"]![0]!["reason"]!.GetValue<string>());
        var skipped = run["status"]!["skippedTasks"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()).Order().ToArray();
        Assert.Equal(["db", "ident"], skipped);
        Assert.Single(File.ReadAllLines(HelmLog), c => c.StartsWith("helm upgrade --install image", StringComparison.Ordinal));
    }

    [Fact(Timeout = 120_000)]
    public async Task Deploy_FailedJob_FailsTheServiceAndSkipsItsDependents()
    {
        var r = await Mship(["deploy", "--repo", _repo.Root, "--site", "dev-a", "--state", State], FakeTools(failing: "ident"));

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("ident: job(s) failed: ident-db-sync", r.Stdout + r.Stderr, StringComparison.Ordinal);
        Assert.Matches(@"image\s+Skipped", r.Stdout);
        Assert.Contains("[summary/print]   ident", r.Stdout, StringComparison.Ordinal);
    }

    /// <summary>mship on a pseudo-terminal (util-linux <c>script</c>), as a person at a terminal runs it; the output without ANSI sequences.</summary>
    private async Task<(int ExitCode, string Output)> OnTerminal(string[] args, IReadOnlyDictionary<string, string> environment)
    {
        if (!File.Exists("/usr/bin/script"))
        {
            Assert.Skip("util-linux script (a pseudo-terminal) is not installed");
        }

        var info = new System.Diagnostics.ProcessStartInfo("/usr/bin/script") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _work };
        foreach (var a in new[] { "-qec", string.Join(' ', new[] { MshipProcess.Binary }.Concat(args).Select(a => $"'{a}'")), "/dev/null" })
        {
            info.ArgumentList.Add(a);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        // A terminal as a person's, even when the tests run in CI.
        info.Environment["TERM"] = "xterm-256color";
        info.Environment["CI"] = "";
        info.Environment["COLUMNS"] = "160";
        using var process = System.Diagnostics.Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        var text = System.Text.RegularExpressions.Regex.Replace(await output + await errors, @"\x1b(\[[0-9;?]*[A-Za-z]|\][^\x07]*\x07|[()][A-Z0-9])", "");
        return (process.ExitCode, text.Replace("\r", "", StringComparison.Ordinal));
    }

    [Fact(Timeout = 120_000)]
    public async Task Deploy_OnATerminal_ShowsTheProgressViewThenTheSummary()
    {
        var (exit, output) = await OnTerminal(["deploy", "--repo", _repo.Root, "--site", "dev-a", "--state", State], FakeTools());

        Assert.True(exit == 0, output);
        Assert.Contains("PipelineRun deploy-dev-a-", output, StringComparison.Ordinal);
        Assert.Matches(@"done (\d+)/\1", output);
        Assert.Matches(@"\s1\s+.*✔ ", output);
        Assert.Matches(@"finally\s+✔ summary", output);
        // The summary table and line as without the view.
        Assert.Matches(@"ident\s+Succeeded", output);
        Assert.Matches(@"PipelineRun deploy-dev-a-\w+: Succeeded", output);
    }

    [Fact(Timeout = 120_000)]
    public async Task Deploy_OnATerminalAFailedService_PrintsItsLastLinesAfterTheView()
    {
        var (exit, output) = await OnTerminal(["deploy", "--repo", _repo.Root, "--site", "dev-a", "--state", State], FakeTools(failing: "ident"));

        Assert.True(exit == 1, output);
        Assert.Contains("✖ ident", output, StringComparison.Ordinal);
        Assert.Contains("last lines of ident (Failed):", output, StringComparison.Ordinal);
        Assert.Contains("ident: job(s) failed: ident-db-sync", output, StringComparison.Ordinal);
        Assert.Matches(@"image\s+Skipped", output);
    }

    [Fact(Timeout = 120_000)]
    public async Task Deploy_OnATerminalWithPlain_PrintsLogLines()
    {
        var (exit, output) = await OnTerminal(["deploy", "--repo", _repo.Root, "--site", "dev-a", "--state", State, "--dry-run", "--plain"], FakeTools());

        Assert.True(exit == 0, output);
        Assert.Contains("[ident/diff] ident: first deploy to site dev-a; every value is new:", output, StringComparison.Ordinal);
        Assert.DoesNotContain("done ", output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Export_IsValidTektonThatRunsLocally()
    {
        var export = await Mship(["export", "--repo", _repo.Root, "--site", "dev-a", "--format", "tekton"]);
        Assert.True(export.ExitCode == 0, export.Stderr);
        var file = Path.Combine(_work, "export.yaml");
        File.WriteAllText(file, export.Stdout);

        var validate = await Mship(["validate", "-f", file]);
        Directory.CreateDirectory(State);
        var run = await Mship(["run", "-f", file, "-w", $"state={State}", "-p", "dry-run=true", "-p", $"chart-root={_repo.Root}", "--workdir", Path.Combine(_work, "runs")]);

        Assert.True(validate.ExitCode == 0, validate.Stderr);
        Assert.Contains("kind: PersistentVolumeClaim", export.Stdout, StringComparison.Ordinal);
        Assert.Contains("claimName: mothership-state-dev-a", export.Stdout, StringComparison.Ordinal);
        Assert.Contains("serviceAccountName: mothership-deployer", export.Stdout, StringComparison.Ordinal);
        Assert.Contains("image: $(params.image)", export.Stdout, StringComparison.Ordinal);
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        Assert.Contains("[ident/diff] ident: first deploy to site dev-a", run.Stdout, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Render_ShowsMergedValuesWithTheirSources()
    {
        var r = await Mship(["render", "--repo", _repo.Root, "--site", "dev-a", "--service", "image"]);

        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("# layers, lowest first: values/global/image.yaml, sites/dev-a/values/image.yaml", r.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"replicas: 1 # .*sites/dev-a/values/image\.yaml:1", r.Stdout);
    }

    [Fact(Timeout = 60_000)]
    public async Task Render_ServiceNotInSite_ExitsTwo()
    {
        var r = await Mship(["render", "--repo", _repo.Root, "--site", "dev-a", "--service", "nova"]);

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("service 'nova' is not enabled in site 'dev-a' (enabled: db, ident, image)", r.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Plan_BadInput_ReportsFileAndLineAndExitsTwo()
    {
        _repo.Write("sites/dev-a/site.yaml", "apiVersion: mothership.io/v1\nkind: Site\nmetadata: {name: dev-a}\nspec:\n  environment: dev\n  region: a\n  services: [db, glance]\n");
        _repo.Write("values/global/image.yaml", "replicas: [1\n");

        var unknown = await Mship(["plan", "--repo", _repo.Root, "--site", "dev-a"]);
        var yaml = await Mship(["plan", "--repo", _repo.Root, "--site", "prod-a"]);

        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("sites/dev-a/site.yaml:7:18: error: unknown service 'glance'", unknown.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, yaml.ExitCode);
        Assert.Matches(@"values/global/image\.yaml:\d+:\d+: error: malformed YAML", yaml.Stderr);
        Assert.DoesNotContain("   at ", unknown.Stderr + yaml.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Plan_CycleFromCatalogEdge_IsAnErrorNamingIt()
    {
        _repo.Write("cloud.yaml", File.ReadAllText(Path.Combine(_repo.Root, "cloud.yaml"))
            .Replace("- {name: db, chart: {path: charts/db}, namespace: infra, estimatedDuration: 2m}", "- {name: db, chart: {path: charts/db}, namespace: infra, dependsOn: [image]}", StringComparison.Ordinal));

        var r = await Mship(["plan", "--repo", _repo.Root, "--site", "dev-a"]);

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("cloud.yaml:6:", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("makes a cycle: db → image → db", r.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Plan_Formats_DrawTheSameGraph()
    {
        var mermaid = await Mship(["plan", "--repo", _repo.Root, "--site", "dev-a", "-o", "mermaid"]);
        var dot = await Mship(["plan", "--repo", _repo.Root, "--site", "dev-a", "-o", "dot"]);
        var text = await Mship(["plan", "--repo", _repo.Root, "--site", "dev-a"]);

        Assert.Contains("db --> ident", mermaid.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"ident\" -> \"image\";", dot.Stdout, StringComparison.Ordinal);
        Assert.Contains("Critical path (12m estimated): db → ident → image", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("3 of 3 services will run in 3 waves.", text.Stdout, StringComparison.Ordinal);
    }
}
