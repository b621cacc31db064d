using Mothership.Cloud.Changes;
using Mothership.Cloud.Charts;
using Mothership.Cloud.Deploy;
using Mothership.Cloud.Planning;
using Mothership.Cloud.Sources;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;
using Mothership.Model.Tekton.Vocabulary;
using Mothership.Model.Validation;

namespace Mothership.Cloud.Tests.Deploy;

public sealed class DeployPipelineBuilderTests
{
    private static (ResourceSet Resources, string Yaml) Build(bool forKubernetes = false, bool dryRun = false, ChangeSet? changes = null)
    {
        var files = new Dictionary<string, string>
        {
            ["cloud.yaml"] = MemoryFiles.Catalog(("db", "      namespace: infra\n      timeout: 10m\n      estimatedDuration: 7m\n"), ("ident", "      test: true\n"), ("compute", ""), ("net", "")),
            ["sites/dev/site.yaml"] = MemoryFiles.Site("dev", "dev", "r1", "db", "ident", "compute", "net")
                + "  cluster: {context: dev-ctx, kubeconfig: /etc/kube/dev}\n  executor: {kind: kubernetes, namespace: deploys, serviceAccount: dev-deployer}\n",
            ["values/global/ident.yaml"] = "conf:\n  debug: \"yes\"\n",
        };
        MemoryFiles.Chart(files, "db", endpoints: [("oslo_db", "db")]);
        MemoryFiles.Chart(files, "ident", services: ["oslo_db"], endpoints: [("oslo_db", "db"), ("identity", "ident")]);
        MemoryFiles.Chart(files, "compute", services: ["identity", "network"], endpoints: [("identity", "ident"), ("network", "net"), ("compute", "compute")]);
        MemoryFiles.Chart(files, "net", services: ["oslo_db", "compute"], endpoints: [("oslo_db", "db"), ("compute", "compute"), ("network", "net")]);
        var bag = new DiagnosticBag();
        var site = RepositoryPlanner.Load(new MemoryFiles(files), "dev", "", new ChartStore(null), bag)!;
        using var planned = new DeployPlanWithSite(DeployPlanner.Plan(site, changes, "memory"), site);

        var yaml = DeployPipelineBuilder.Yaml(planned, new DeployPipelineOptions { ForKubernetes = forKubernetes, DryRun = dryRun, ChartRoot = "/repo" });

        var loaded = new DiagnosticBag();
        var resources = new ResourceSet { All = [.. ResourceLoader.Load("deploy.yaml", yaml, loaded)] };
        ResourceValidator.Validate(resources, loaded);
        Assert.False(loaded.HasErrors, string.Join("\n", loaded.Items) + "\n" + yaml);
        return (resources, yaml);
    }

    private static Pipeline Pipeline(ResourceSet r) => r.All.OfType<Pipeline>().Single();

    private static PipelineTask Task(ResourceSet r, string name) => Pipeline(r).Spec.Tasks.Single(t => t.Name == name);

    [Fact]
    public void Yaml_IsValidTektonWithOneTaskPerService()
    {
        var (resources, _) = Build();

        Assert.Equal("deploy-dev", Pipeline(resources).Metadata.Name);
        Assert.Equal(["compute", "db", "ident", "net"], Pipeline(resources).Spec.Tasks.Select(t => t.Name).Order());
        Assert.Equal(["render", "diff", "helm-upgrade", "wait", "verify", "record"], resources.All.OfType<TektonTask>().Single().Spec.Steps.Select(s => s.Name));
        Assert.Equal("summary", Assert.Single(Pipeline(resources).Spec.Finally).Name);
    }

    [Fact]
    public void Yaml_RunAfterFollowsThePlan_AndGroupMembersStartTogether()
    {
        var (resources, _) = Build();

        Assert.Equal(["db"], Task(resources, "ident").RunAfter);
        // compute waits for ident and net; net for db and compute: the group waits for db and ident.
        Assert.Equal(["db", "ident"], Task(resources, "compute").RunAfter);
        Assert.Equal(["db", "ident"], Task(resources, "net").RunAfter);
        Assert.Empty(Task(resources, "db").RunAfter);
    }

    [Fact]
    public void Yaml_EachServiceIsGuardedByItsRunParam()
    {
        var changes = new ChangeSet("HEAD~1", new Dictionary<string, System.Collections.Immutable.ImmutableArray<string>> { ["ident"] = ["values/global/ident.yaml"] }, []);

        var (resources, _) = Build(changes: changes);

        var when = Assert.Single(Task(resources, "ident").When);
        Assert.Equal("$(params.run-ident)", when.Input);
        var run = resources.All.OfType<PipelineRun>().Single();
        Assert.Equal("true", run.Spec.Params.Single(p => p.Name == "run-ident").Value.ToString());
        Assert.Equal("false", run.Spec.Params.Single(p => p.Name == "run-db").Value.ToString());
    }

    [Fact]
    public void Yaml_PipelineAndRunCarryTheEstimatesOfTheServicesThatRun()
    {
        var changes = new ChangeSet("HEAD~1", new Dictionary<string, System.Collections.Immutable.ImmutableArray<string>> { ["db"] = ["values/global/db.yaml"] }, []);

        var (resources, _) = Build(changes: changes);

        var run = resources.All.OfType<PipelineRun>().Single();
        Assert.Equal(Pipeline(resources).Metadata.Annotations[MothershipLabels.EstimatedDurations], run.Metadata.Annotations[MothershipLabels.EstimatedDurations]);
        var estimates = System.Text.Json.Nodes.JsonNode.Parse(run.Metadata.Annotations[MothershipLabels.EstimatedDurations])!.AsObject();
        // Only what runs: db changed (and what follows it re-runs per the plan); the default is 5m.
        Assert.Equal("7m", (string?)estimates["db"]);
        Assert.All(estimates.Where(kv => kv.Key != "db"), kv => Assert.Equal("5m", (string?)kv.Value));
        var plannedToRun = run.Spec.Params.Where(p => p.Name.StartsWith("run-", StringComparison.Ordinal) && p.Value.ToString() == "true").Select(p => p.Name[4..]);
        Assert.Equal(plannedToRun.Order(), estimates.Select(kv => kv.Key).Order());
    }

    [Fact]
    public void Yaml_ServiceParamsCarryReleaseNamespaceValuesAndTimeouts()
    {
        var (resources, _) = Build();

        string Param(string task, string name) => Task(resources, task).Params.Single(p => p.Name == name).Value.ToString();
        Assert.Equal("infra", Param("db", "namespace"));
        Assert.Equal("10m", Param("db", "timeout"));
        Assert.Equal("600", Param("db", "timeout-seconds"));
        Assert.Equal("25m", Task(resources, "db").Timeout);
        Assert.Equal("true", Param("ident", "test"));
        // The render step's here-document adds the last newline back.
        Assert.Equal("conf:\n  debug: \"yes\"", Param("ident", "values"));
        Assert.Equal("charts/ident", Param("ident", "chart"));
    }

    [Fact]
    public void Yaml_ForKubernetes_BindsStateToAClaimAndNamesTheServiceAccount()
    {
        var (resources, yaml) = Build(forKubernetes: true, dryRun: true);

        Assert.Contains(resources.All, r => r.Kind == "PersistentVolumeClaim" && r.Metadata.Name == "mothership-state-dev");
        var run = resources.All.OfType<PipelineRun>().Single();
        Assert.Equal("true", run.Spec.Params.Single(p => p.Name == "dry-run").Value.ToString());
        Assert.Contains("serviceAccountName: dev-deployer", yaml, StringComparison.Ordinal);
        Assert.Contains("claimName: mothership-state-dev", yaml, StringComparison.Ordinal);
        // In a pod helm uses the account's in-cluster credentials: no context, no kubeconfig.
        Assert.All(Pipeline(resources).Spec.Tasks, t => Assert.Equal(("", ""),
            (t.Params.Single(p => p.Name == "kube-context").Value.ToString(), t.Params.Single(p => p.Name == "kubeconfig").Value.ToString())));
    }

    [Fact]
    public void Yaml_Local_UsesTheSiteClusterContextAndKubeconfig()
    {
        var (resources, yaml) = Build();

        Assert.All(Pipeline(resources).Spec.Tasks, t => Assert.Equal(("dev-ctx", "/etc/kube/dev"),
            (t.Params.Single(p => p.Name == "kube-context").Value.ToString(), t.Params.Single(p => p.Name == "kubeconfig").Value.ToString())));
        Assert.DoesNotContain("serviceAccountName", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void Yaml_ScriptsAreLiteralBlocks()
    {
        var (_, yaml) = Build();

        Assert.Contains("script: |", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("script: \"", yaml, StringComparison.Ordinal);
    }
}
