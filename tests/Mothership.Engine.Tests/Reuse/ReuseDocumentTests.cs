using System.Collections.Immutable;
using Mothership.Engine.Execution;
using Mothership.Engine.Preparation;
using Mothership.Engine.Reuse;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Tests.Reuse;

public sealed class ReuseDocumentTests
{
    private const string Manifest = """
        apiVersion: tekton.dev/v1
        kind: PipelineRun
        metadata: {name: new}
        spec:
          pipelineSpec:
            tasks:
              - {name: a, taskSpec: {steps: [{name: s, image: x, script: 'true'}]}}

        """;

    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static ReusedTask Task() => new()
    {
        PipelineTask = "a",
        TaskRuns =
        [
            new ReusedTaskRun
            {
                PipelineRun = "old",
                TaskRun = "old-a-0",
                MatrixParams = [new Param { Name = "os", Value = ParamValue.Of("linux") }],
                Attempts =
                [
                    new TaskRunOutcome
                    {
                        Phase = TaskRunPhase.Succeeded, Message = "", StartTime = T0, CompletionTime = T0.AddSeconds(3),
                        Results = [new RunResult("r", ParamValue.Of("yes\n")), new RunResult("list", ParamValue.Of(["x", "y"]))],
                        Steps = [new StepState { Name = "s", Container = "step-s", ExitCode = 0, StartedAt = T0, FinishedAt = T0.AddSeconds(3) }],
                    },
                ],
            },
        ],
    };

    private static ResourceSet Load(string text)
    {
        var bag = new DiagnosticBag();
        var resources = new ResourceSet { All = [.. ResourceLoader.Load("manifest", text, bag)] };
        Assert.False(bag.HasErrors, string.Join("\n", bag.Items));
        return resources;
    }

    [Fact]
    public void Split_AppendedDocument_ReadsBackEveryField()
    {
        var manifest = ReuseDocument.Append(Manifest, "old", [Task()]);

        var (tasks, others) = ReuseDocument.Split(Load(manifest));

        var run = Assert.Single(tasks["a"].TaskRuns);
        var expected = Task().TaskRuns[0];
        Assert.Equal((expected.PipelineRun, expected.TaskRun), (run.PipelineRun, run.TaskRun));
        Assert.Equal("linux", run.MatrixParams.Single().Value.StringValue);
        var attempt = Assert.Single(run.Attempts);
        Assert.Equal("yes\n", attempt.Results[0].Value.StringValue);
        Assert.Equal(["x", "y"], attempt.Results[1].Value.ArrayValue);
        Assert.Equal((T0, T0.AddSeconds(3)), (attempt.StartTime, attempt.CompletionTime));
        Assert.Equal("step-s", attempt.Steps.Single().Container);
        Assert.IsType<PipelineRun>(Assert.Single(others.All));
    }

    [Fact]
    public void Strip_ManifestWithDocument_GivesTheManifestBack()
    {
        var twice = ReuseDocument.Append(ReuseDocument.Append(Manifest, "old", [Task()]), "older", [Task()]);

        Assert.Equal(Manifest, ReuseDocument.Strip(twice));
        Assert.Single(Load(twice).All, ReuseDocument.Is);
        Assert.Equal(Manifest, ReuseDocument.Strip(Manifest));
    }

    [Fact]
    public void Prepare_ManifestWithDocument_StartsTheRunWithItsReusedTasks()
    {
        var resources = Load(ReuseDocument.Append(Manifest, "old", [Task()]));

        var prepared = RunPreparation.Prepare(resources.PipelineRuns.Single(), resources);
        var state = prepared.Start("uid", T0);

        Assert.Equal(["a"], state.Reuse.Keys);
        Assert.DoesNotContain(prepared.Resources.All, ReuseDocument.Is);
    }
}
