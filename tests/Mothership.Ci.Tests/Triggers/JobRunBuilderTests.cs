using Mothership.Ci.Jobs;
using Mothership.Ci.Tests.Jobs;
using Mothership.Ci.Triggers;
using Mothership.Model.Diagnostics;
using Mothership.Model.Tekton;

namespace Mothership.Ci.Tests.Triggers;

public sealed class JobRunBuilderTests
{
    private static readonly JobRefs Refs = new("octo", "hello", "release/1.0", "base000", "https://github.com/octo/hello.git", "https://github.com/octo/hello")
    {
        Pulls = [new PullRef(12, "alice", "head111", "fix", "Fix it")],
    };

    private static ProwJob Job(string yaml)
    {
        var bag = new DiagnosticBag();
        var config = ProwConfig.Parse("config.yaml", yaml, bag);
        Assert.False(bag.HasErrors, string.Join("\n", bag.Items));
        return config!.PresubmitsFor("octo/hello").Single();
    }

    private static JobRequest Request(ProwJob job) => new()
    {
        Type = JobTypes.Presubmit,
        Job = job,
        Refs = Refs,
        RunName = "unit-0123456789",
        BuildId = "42",
        Delivery = "d-1",
        StatusSha = "head111",
        Context = "ci/unit",
    };

    [Fact]
    public void Build_PipelineRunJob_ProwEnvAsParams_CheckoutTaskFirst_SourceOnAClaim()
    {
        var job = Job("""
            presubmits:
              octo/hello:
              - name: unit
                always_run: true
                agent: tekton-pipeline
                pipeline_run_spec:
                  params:
                  - name: PULL_NUMBER
                    value: "mine"
                  pipelineSpec:
                    workspaces:
                    - name: source
                    tasks:
                    - name: build
                      workspaces: [{name: src, workspace: source}]
                      taskSpec:
                        workspaces: [{name: src}]
                        steps: [{image: alpine, script: "make"}]
                    - name: test
                      runAfter: [build]
                      taskSpec:
                        steps: [{image: alpine, script: "make test"}]
            """);

        var run = Assert.IsType<PipelineRun>(JobRunBuilder.Build(Request(job), "git:1"));

        var values = run.Spec.Params.ToDictionary(p => p.Name, p => p.Value.StringValue);
        Assert.Equal("mine", values["PULL_NUMBER"]);
        Assert.Equal(("head111", "release/1.0:base000,12:head111", "unit-0123456789"), (values["PULL_PULL_SHA"], values["PULL_REFS"], values["PROW_JOB_ID"]));
        var pipeline = run.Spec.PipelineSpec!;
        Assert.Equal([CloneRefs.Name, "build", "test"], pipeline.Tasks.Select(t => t.Name));
        Assert.Equal("git:1", pipeline.Tasks[0].TaskSpec!.Steps[0].Image);
        Assert.Equal([CloneRefs.Name], pipeline.Tasks[1].RunAfter);
        Assert.Equal([CloneRefs.Name, "build"], pipeline.Tasks[2].RunAfter);
        Assert.Single(pipeline.Workspaces, w => w.Name == "source");
        Assert.True(Assert.Single(run.Spec.Workspaces).Source.VolumeClaimTemplate);
        // Label values stay valid: a branch with '/' is written with '-'.
        Assert.Equal("release-1.0", run.Metadata.Labels["prow.k8s.io/refs.base_ref"]);
        Assert.Equal("ci/unit", run.Metadata.Annotations["mothership.io/context"]);
    }

    [Fact]
    public void Build_PodSpecJob_StepsGetProwEnvUnderTheirOwn_AndWorkInTheCheckout()
    {
        var job = Job("""
            presubmits:
              octo/hello:
              - name: unit
                always_run: true
                decorate: true
                spec:
                  containers:
                  - name: build
                    image: alpine
                    command: [make]
                    env: [{name: JOB_NAME, value: custom}]
                  - name: list
                    image: alpine
                    command: [ls]
                    workingDir: /tmp
            """);

        var run = Assert.IsType<TaskRun>(JobRunBuilder.Build(Request(job), "git:1"));

        var steps = run.Spec.TaskSpec!.Steps;
        Assert.Equal(CloneRefs.Name, steps[0].Name);
        Assert.Equal(["$(workspaces.source.path)", "/tmp"], steps.Skip(1).Select(s => s.WorkingDir));
        Assert.Contains(steps[1].Env, e => e is { Name: "JOB_NAME", Value: "custom" });
        Assert.Contains(run.Spec.TaskSpec.StepTemplate!.Env, e => e is { Name: "PULL_NUMBER", Value: "12" });
        var clone = steps[0].Env.ToDictionary(e => e.Name, e => e.Value);
        Assert.Equal(("https://github.com/octo/hello.git", "12:head111"), (clone["CLONE_URI"], clone["CLONE_PULLS"]));
        Assert.DoesNotContain("octo/hello", steps[0].Script, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_UndecoratedJob_NoCheckout()
    {
        var job = Job("""
            presubmits:
              octo/hello:
              - name: unit
                decorate: false
                always_run: true
                spec:
                  containers:
                  - image: alpine
                    command: [make]
            """);

        var run = Assert.IsType<TaskRun>(JobRunBuilder.Build(Request(job), "git:1"));

        Assert.Single(run.Spec.TaskSpec!.Steps);
        Assert.Empty(run.Spec.Workspaces);
    }

    [Theory]
    [InlineData("unit", "key", "unit-")]
    [InlineData("pull_Kubernetes.e2e", "key", "pull-kubernetes-e2e-")]
    [InlineData("a-very-long-job-name-that-goes-on-and-on-beyond-forty-characters", "k", "a-very-long-job-name-that-goes-on-and-on-")]
    public void RunName_ValidKubernetesName_SameForTheSameKey(string job, string key, string prefix)
    {
        var name = JobRunBuilder.RunName(job, key);

        Assert.StartsWith(prefix.TrimEnd('-'), name, StringComparison.Ordinal);
        Assert.Matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", name);
        Assert.True(name.Length <= 51);
        Assert.Equal(name, JobRunBuilder.RunName(job, key));
        Assert.NotEqual(name, JobRunBuilder.RunName(job, key + "2"));
    }

    [Fact]
    public void JobSpec_ProwsFieldNames()
    {
        var spec = JobEnvironment.Spec("presubmit", "unit", "42", "unit-1", Refs);

        Assert.Equal(
            """{"type":"presubmit","job":"unit","buildid":"42","prowjobid":"unit-1","refs":{"org":"octo","repo":"hello","repo_link":"https://github.com/octo/hello","base_ref":"release/1.0","base_sha":"base000","base_link":"https://github.com/octo/hello/commit/base000","pulls":[{"number":12,"author":"alice","sha":"head111","title":"Fix it","head_ref":"fix","link":"https://github.com/octo/hello/pull/12","commit_link":"https://github.com/octo/hello/pull/12/commits/head111","author_link":"https://github.com/alice"}]}}""",
            spec);
    }

    private static readonly JobRefs PostsubmitRefs = new("octo", "app", "main", "abc123", "https://github.com/octo/app.git", "https://github.com/octo/app");

    private static JobRequest PostsubmitRequest(ProwJob job) => new()
    {
        Type = JobTypes.Postsubmit,
        Job = job,
        Refs = PostsubmitRefs,
        RunName = JobRunBuilder.RunName(job.Name, "key"),
        BuildId = "1",
    };

    [Fact]
    public void Build_PodSpecJobWithWorkingTree_SourceBoundToItWithoutClonerefs()
    {
        var job = ProwYaml.Presubmit($"name: unit\n{ProwYaml.Spec}\n");

        var run = Assert.IsType<TaskRun>(JobRunBuilder.Build(PostsubmitRequest(job), CloneRefs.DefaultImage, "/home/alice/app"));

        Assert.DoesNotContain(run.Spec.TaskSpec!.Steps, s => s.Name == CloneRefs.Name);
        Assert.All(run.Spec.TaskSpec.Steps, s => Assert.Equal("$(workspaces.source.path)", s.WorkingDir));
        Assert.Contains(run.Spec.TaskSpec.Workspaces, w => w.Name == CloneRefs.Workspace);
        Assert.Equal("/home/alice/app", Assert.Single(run.Spec.Workspaces, w => w.Name == CloneRefs.Workspace).Source.HostPath);
        Assert.Equal("abc123", run.Env()["PULL_BASE_SHA"]);
    }

    [Fact]
    public void Build_PodSpecJobWithoutWorkingTree_ClonerefsIntoAnEmptyDir()
    {
        var job = ProwYaml.Presubmit($"name: unit\n{ProwYaml.Spec}\n");

        var run = Assert.IsType<TaskRun>(JobRunBuilder.Build(PostsubmitRequest(job), CloneRefs.DefaultImage));

        Assert.Equal(CloneRefs.Name, run.Spec.TaskSpec!.Steps[0].Name);
        Assert.True(Assert.Single(run.Spec.Workspaces, w => w.Name == CloneRefs.Workspace).Source.EmptyDir);
    }

    [Fact]
    public void Build_PipelineJobWithWorkingTree_NoClonerefsTaskAndSourceBoundToIt()
    {
        var job = ProwYaml.Presubmit("""
            name: lint
            agent: tekton-pipeline
            pipeline_run_spec:
              pipelineSpec:
                tasks:
                - name: lint
                  taskSpec: {steps: [{image: alpine, script: "true"}]}
            """);

        var run = Assert.IsType<PipelineRun>(JobRunBuilder.Build(PostsubmitRequest(job), CloneRefs.DefaultImage, "/home/alice/app"));

        Assert.Equal(["lint"], run.Spec.PipelineSpec!.Tasks.Select(t => t.Name));
        Assert.Empty(run.Spec.PipelineSpec.Tasks[0].RunAfter);
        Assert.Contains(run.Spec.PipelineSpec.Workspaces, w => w.Name == CloneRefs.Workspace);
        Assert.Equal("/home/alice/app", Assert.Single(run.Spec.Workspaces, w => w.Name == CloneRefs.Workspace).Source.HostPath);
    }
}
