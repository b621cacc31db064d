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
}
