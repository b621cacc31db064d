using Mothership.Ci.Jobs;
using Mothership.Ci.Triggers;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;
using Mothership.Model.Validation;
using Mothership.Server.Ci;

namespace Mothership.Server.Tests.Ci;

public sealed class ServerJobRunsTests
{
    private static readonly JobRefs Refs = new("octo", "hello", "main", "base000", "https://github.com/octo/hello.git", "https://github.com/octo/hello")
    {
        Pulls = [new PullRef(12, "alice", "head111", "fix", "Fix it")],
    };

    [Theory]
    [InlineData("""
        presubmits:
          octo/hello:
          - name: unit
            always_run: true
            spec:
              containers:
              - image: alpine
                command: [sh, -c]
                args: ["make test"]
                env: [{name: A, value: b}]
                resources: {requests: {cpu: 100m}}
        """)]
    [InlineData("""
        presubmits:
          octo/hello:
          - name: unit
            always_run: true
            agent: tekton-pipeline
            pipeline_run_spec:
              pipelineSpec:
                tasks:
                - name: build
                  taskSpec:
                    steps: [{image: alpine, script: make}]
        """)]
    public void Document_BuiltRun_LoadsAndValidatesAsTheUsersOwn(string config)
    {
        var bag = new DiagnosticBag();
        var job = ProwConfig.Parse("config.yaml", config, bag)!.PresubmitsFor("octo/hello").Single();
        var run = JobRunBuilder.Build(new JobRequest
        {
            Type = JobTypes.Presubmit, Job = job, Refs = Refs, RunName = "unit-0123456789", BuildId = "1", StatusSha = "head111", Context = "unit",
        }, CloneRefs.DefaultImage);

        var text = ServerJobRuns.Document(run).ToJsonString();
        var loaded = ResourceLoader.Load("body", text, bag);
        ResourceValidator.Validate(new ResourceSet { All = [.. loaded] }, bag);

        Assert.Empty(bag.Items.Where(d => d.Severity == Severity.Error).Select(d => d.ToString() + "\n" + text));
        Assert.Equal(run.Kind, Assert.Single(loaded).Kind);
        if (run is TaskRun)
        {
            // Fields a step keeps without interpreting them (for the Kubernetes executor) survive the trip.
            Assert.Contains("\"resources\":{\"requests\":{\"cpu\":\"100m\"}}", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void SecretDocument_CloneCredentials_LoadWithTheRunAsItsSecretAndValidate()
    {
        var bag = new DiagnosticBag();
        var job = ProwConfig.Parse("config.yaml", """
            presubmits:
              octo/hello:
              - name: unit
                always_run: true
                spec:
                  containers:
                  - image: alpine
                    command: [make]
            """, bag)!.PresubmitsFor("octo/hello").Single();
        var (credentials, secret) = CloneCredentials.For("unit-0123456789", Refs.CloneUri, "github.com", "ghp_token")!.Value;
        var run = JobRunBuilder.Build(new JobRequest { Type = JobTypes.Presubmit, Job = job, Refs = Refs, RunName = "unit-0123456789", BuildId = "1" },
            CloneRefs.DefaultImage, null, credentials);

        var text = ServerJobRuns.Document(run).ToJsonString() + "\n---\n" + ServerJobRuns.SecretDocument(secret).ToJsonString();
        var loaded = ResourceLoader.Load("body", text, bag);
        var set = new ResourceSet { All = [.. loaded] };
        ResourceValidator.Validate(set, bag);

        Assert.Empty(bag.Items.Where(d => d.Severity == Severity.Error).Select(d => d.ToString()));
        Assert.Equal(secret.Data, set.FindSecret("unit-0123456789-clone")!.Data);
        Assert.DoesNotContain(secret.Data[CloneCredentials.AuthorizationKey], ServerJobRuns.Document(run).ToJsonString(), StringComparison.Ordinal);
    }
}
