using Mothership.Ci.Jobs;

namespace Mothership.Ci.Tests.Jobs;

/// <summary>A repository's <c>.prow.yaml</c> read against the central config: Prow's ProwYAML rules at FILE:LINE:COL.</summary>
public sealed class InRepoJobsTests
{
    private const string Repo = "org/repo";

    private static readonly ProwConfig Central = ProwYaml.Load("""
        in_repo_config:
          enabled: {org: true, org/other: false}
          allowed_clusters: {org/repo: [build-1]}
        presets:
        - labels: {preset-go: "true"}
          env: [{name: GOPROXY, value: https://proxy.golang.org}]
        presubmits:
          org/repo:
          - name: unit
            spec: {containers: [{image: golang}]}
        """);

    private static InRepoJobs Load(string text) => InRepoJobs.Load(Central, Repo, "abc", [(InRepoJobs.FileName, text)]);

    [Fact]
    public void Load_PresubmitsAndPostsubmits_WithProwsDefaultsAndThePresetsOfBothConfigs()
    {
        var jobs = Load("""
            presets:
            - labels: {preset-cache: "true"}
              env: [{name: CACHE, value: /cache}]
            presubmits:
            - name: lint
              labels: {preset-go: "true", preset-cache: "true"}
              spec: {containers: [{image: golang}]}
            postsubmits:
            - name: publish
              cluster: build-1
              spec: {containers: [{image: golang}]}
            prow_ignored: {anything: [goes]}
            """);

        Assert.Empty(jobs.Diagnostics);
        var lint = Assert.Single(jobs.Presubmits);
        Assert.Equal(("lint", "lint", "/test lint"), (lint.Name, lint.Context, lint.RerunCommand));
        Assert.Equal(["GOPROXY", "CACHE"], lint.PodSpec!.TaskSpec!.Steps[0].Env.Select(e => e.Name));
        Assert.Equal("publish", Assert.Single(jobs.Postsubmits).Name);
    }

    [Fact]
    public void Load_OtherTopLevelKeys_Errors()
    {
        var jobs = Load("""
            periodics: []
            tide: {}
            presubmits: []
            """);

        Assert.True(jobs.HasErrors);
        Assert.Equal(
        [
            ".prow.yaml:1:1: error: 'periodics' is not allowed in in-repo config: periodics belong in the central config",
            ".prow.yaml:2:1: error: 'tide' is not allowed in in-repo config: only presets, presubmits and postsubmits may be defined in a repository",
        ], jobs.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void Load_NameOfACentralJob_ErrorNamingIt()
    {
        var jobs = Load("""
            presubmits:
            - name: unit
              spec: {containers: [{image: alpine}]}
            """);

        Assert.Equal([".prow.yaml:2:3: error: duplicate presubmit 'unit': also defined at config.yaml:9:5 for branches that overlap; rename one or give them branches that do not"],
            jobs.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void Load_ClusterNotAllowed_Error()
    {
        var jobs = Load("""
            presubmits:
            - name: lint
              cluster: prod
              spec: {containers: [{image: alpine}]}
            """);

        Assert.Equal([".prow.yaml:3:3: error: job 'lint': cluster 'prod' is not allowed for repository org/repo: allow it in in_repo_config.allowed_clusters of the central config"],
            jobs.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void Load_BadYamlAndBadRegex_Errors()
    {
        Assert.True(Load("presubmits: [").HasErrors);
        var jobs = Load("""
            presubmits:
            - name: lint
              run_if_changed: "("
              spec: {containers: [{image: alpine}]}
            """);
        Assert.StartsWith(".prow.yaml:3:3: error: invalid regex '(' in run_if_changed", Assert.Single(jobs.Diagnostics).ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("org/repo", true)]
    [InlineData("org/other", false)]
    [InlineData("elsewhere/repo", false)]
    public void EnabledFor_NarrowestKeyWins(string orgRepo, bool enabled) => Assert.Equal(enabled, Central.InRepoConfig.EnabledFor(orgRepo));

    [Theory]
    [InlineData("default", "org/repo", true)]
    [InlineData("build-1", "org/repo", true)]
    [InlineData("build-1", "org/other", false)]
    public void AllowsCluster_DefaultForEveryone_PlusWhatIsAllowed(string cluster, string orgRepo, bool allowed) =>
        Assert.Equal(allowed, Central.InRepoConfig.AllowsCluster(cluster, orgRepo));

    [Fact]
    public void Parse_InRepoConfigWithAnUnknownField_Error()
    {
        var problems = ProwYaml.Problems("in_repo_config:\n  enable: {org: true}\n");

        Assert.Single(problems, p => p.StartsWith("config.yaml:2:3: error:", StringComparison.Ordinal));
    }
}
