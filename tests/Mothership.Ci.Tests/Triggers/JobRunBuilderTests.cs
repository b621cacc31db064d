using Mothership.Ci.Jobs;
using Mothership.Ci.Tests.Jobs;
using Mothership.Ci.Triggers;
using Mothership.Model.Tekton;

namespace Mothership.Ci.Tests.Triggers;

/// <summary>The run built for a job: with a clonerefs checkout, or bound to a working tree for <c>mship ci test</c>.</summary>
public sealed class JobRunBuilderTests
{
    private static readonly JobRefs Refs = new("octo", "app", "main", "abc123", "https://github.com/octo/app.git", "https://github.com/octo/app");

    private static JobRequest Request(ProwJob job) => new()
    {
        Type = JobTypes.Postsubmit,
        Job = job,
        Refs = Refs,
        RunName = JobRunBuilder.RunName(job.Name, "key"),
        BuildId = "1",
    };

    [Fact]
    public void Build_PodSpecJobWithWorkingTree_SourceBoundToItWithoutClonerefs()
    {
        var job = ProwYaml.Presubmit($"name: unit\n{ProwYaml.Spec}\n");

        var run = Assert.IsType<TaskRun>(JobRunBuilder.Build(Request(job), CloneRefs.DefaultImage, "/home/alice/app"));

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

        var run = Assert.IsType<TaskRun>(JobRunBuilder.Build(Request(job), CloneRefs.DefaultImage));

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

        var run = Assert.IsType<PipelineRun>(JobRunBuilder.Build(Request(job), CloneRefs.DefaultImage, "/home/alice/app"));

        Assert.Equal(["lint"], run.Spec.PipelineSpec!.Tasks.Select(t => t.Name));
        Assert.Empty(run.Spec.PipelineSpec.Tasks[0].RunAfter);
        Assert.Contains(run.Spec.PipelineSpec.Workspaces, w => w.Name == CloneRefs.Workspace);
        Assert.Equal("/home/alice/app", Assert.Single(run.Spec.Workspaces, w => w.Name == CloneRefs.Workspace).Source.HostPath);
    }
}
