using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Mothership.Engine.Execution;
using Mothership.Engine.Reuse;
using Mothership.Engine.Scheduling;
using Mothership.Engine.Status;
using Mothership.Engine.Tests.Scheduling;
using Mothership.Model.Tekton.Vocabulary;

namespace Mothership.Engine.Tests.Reuse;

public sealed class TaskReuseTests
{
    private static string Pipeline(string name, string tasks, string finallyTasks = "") => $$"""
        apiVersion: tekton.dev/v1
        kind: PipelineRun
        metadata: {name: {{name}}}
        spec:
          pipelineSpec:
            tasks:
        {{tasks}}
        {{finallyTasks}}
        """;

    private const string Step = "taskSpec: {results: [{name: r}], steps: [{name: s, image: x, script: 'true'}]}";

    /// <summary>a makes a result; b reads it and fails; c needs b and guards on a's result; f is a finally task.</summary>
    private const string Chain = $$"""
              - {name: a, {{Step}}}
              - name: b
                params: [{name: p, value: "got $(tasks.a.results.r)"}]
                taskSpec: {params: [{name: p}], steps: [{name: s, image: x, script: "echo $(params.p)"}]}
              - name: c
                runAfter: [b]
                when: [{input: "$(tasks.a.results.r)", operator: in, values: ["yes"]}]
                {{Step}}
        """;

    private const string Finally = $$"""
            finally:
              - {name: f, {{Step}}}
        """;

    private static SchedulerHarness FailedChain()
    {
        var old = new SchedulerHarness(Pipeline("old", Chain, Finally)).Step();
        old.Succeed("a", ("r", "yes")).Fail("b");
        old.Succeed("f");
        Assert.Equal(PipelineRunReason.Failed, old.State.Completion!.Reason);
        Assert.Equal(SkipReasons.Stopping, old.SkipReason("c"));
        return old;
    }

    [Fact]
    public void FromFailed_FailedRun_KeepsOnlySucceededDagTasks()
    {
        var reuse = TaskReuse.FromFailed(FailedChain().State);

        var a = Assert.Single(reuse).Value;
        Assert.Equal("a", a.PipelineTask);
        var from = Assert.Single(a.TaskRuns);
        Assert.Equal(("old", "old-a"), (from.PipelineRun, from.TaskRun));
        Assert.Equal("yes", from.Attempts[^1].Results.Single().Value.StringValue);
    }

    [Fact]
    public void Next_ReusedTask_IsNotRunAndItsResultFeedsParamsAndWhen()
    {
        var reuse = TaskReuse.FromFailed(FailedChain().State);
        var h = new SchedulerHarness(Pipeline("new", Chain, Finally)).WithReuse(reuse).Step();

        Assert.Equal(["b"], h.RunningTasks);
        Assert.True(h.Task("a").Reused);
        Assert.Equal(TaskPhase.Succeeded, h.Task("a").Phase);
        Assert.Equal("echo got yes", h.Running.Single().Request.Spec.Steps[0].Script);

        h.Succeed("b");
        Assert.Contains("c", h.RunningTasks);
        h.Succeed("c");
        Assert.Contains("f", h.RunningTasks);
        h.Succeed("f");
        Assert.Equal(PipelineRunReason.Succeeded, h.State.Completion!.Reason);
        Assert.Equal("Tasks Completed: 4 (Failed: 0, Cancelled 0), Skipped: 0", h.State.Completion.Message);
    }

    [Fact]
    public void Next_FailedSkippedAndFinallyTasks_RunAgain()
    {
        var old = FailedChain();
        var h = new SchedulerHarness(Pipeline("new", Chain, Finally)).WithReuse(TaskReuse.FromFailed(old.State)).Step();

        Assert.Equal(["b"], h.RunningTasks);
        h.Succeed("b");
        Assert.Equal(["c"], h.RunningTasks);
        h.Succeed("c");
        Assert.Equal(["f"], h.RunningTasks);
        Assert.False(h.Task("b").Reused);
        Assert.False(h.Task("c").Reused);
        Assert.False(h.Task("f").Reused);
        Assert.Equal("new-f", h.Running.Single(r => r.PipelineTask == "f").Request.TaskRunName);
    }

    [Fact]
    public void Next_ReusedTaskWhoseParentRunsAgain_RunsAgainToo()
    {
        var old = new SchedulerHarness(Pipeline("old", $$"""
                  - {name: a, {{Step}}}
                  - {name: b, runAfter: [a], {{Step}}}
            """)).Step();
        old.Succeed("a").Succeed("b");
        // Only b is offered: a runs again, so its results may differ and b must see them.
        var reuse = TaskReuse.FromFailed(old.State).Remove("a");

        var h = new SchedulerHarness(Pipeline("new", $$"""
                  - {name: a, {{Step}}}
                  - {name: b, runAfter: [a], {{Step}}}
            """)).WithReuse(reuse).Step();
        Assert.Equal(["a"], h.RunningTasks);
        h.Succeed("a");

        Assert.Equal(["b"], h.RunningTasks);
        Assert.False(h.Task("b").Reused);
    }

    private const string Matrix = """
              - name: m
                matrix:
                  params: [{name: os, value: [linux, mac]}]
                taskSpec:
                  params: [{name: os}]
                  results: [{name: out}]
                  steps: [{name: s, image: x, script: "echo $(params.os)"}]
              - name: use
                params: [{name: all, value: "$(tasks.m.results.out[*])"}]
                taskSpec: {params: [{name: all, type: array}], steps: [{name: s, image: x, args: ["$(params.all[*])"]}]}
        """;

    [Fact]
    public void FromFailed_MatrixWithOneFailedTaskRun_RunsTheWholeMatrixAgain()
    {
        var old = new SchedulerHarness(Pipeline("old", Matrix)).Step();
        old.Finish("m", TaskRunPhase.Succeeded, 0, ("out", "l")).Finish("m", TaskRunPhase.Failed, 1);
        Assert.Equal(TaskPhase.Failed, old.Task("m").Phase);

        var reuse = TaskReuse.FromFailed(old.State);
        var h = new SchedulerHarness(Pipeline("new", Matrix)).WithReuse(reuse).Step();

        Assert.Empty(reuse);
        Assert.Equal([0, 1], h.Running.Where(r => r.PipelineTask == "m").Select(r => r.ChildIndex));
    }

    [Fact]
    public void Next_MatrixThatSucceeded_IsReusedWithEveryTaskRunAndAggregatedResults()
    {
        var old = new SchedulerHarness(Pipeline("old", Matrix)).Step();
        old.Finish("m", TaskRunPhase.Succeeded, 0, ("out", "l")).Finish("m", TaskRunPhase.Succeeded, 1, ("out", "m"));
        old.Finish("use", TaskRunPhase.Failed);

        var h = new SchedulerHarness(Pipeline("new", Matrix)).WithReuse(TaskReuse.FromFailed(old.State)).Step();

        Assert.Equal(["use"], h.RunningTasks);
        Assert.Equal(["l", "m"], h.Running.Single().Request.Spec.Steps[0].Args);
        Assert.Equal(["new-m-0", "new-m-1"], h.Task("m").Runs.Select(r => r.TaskRunName));
        Assert.Equal(["old-m-0", "old-m-1"], h.Task("m").Runs.Select(r => r.ReusedFrom!.TaskRun));
    }

    [Fact]
    public void FromFailed_RerunOfARerun_PointsAtTheTaskRunThatRan()
    {
        var first = TaskReuse.FromFailed(FailedChain().State);
        var second = new SchedulerHarness(Pipeline("second", Chain, Finally)).WithReuse(first).Step();
        second.Fail("b");
        second.Succeed("f");

        var from = TaskReuse.FromFailed(second.State)["a"].TaskRuns.Single();

        Assert.Equal(("old", "old-a"), (from.PipelineRun, from.TaskRun));
    }

    [Fact]
    public void PipelineRun_ReusedTaskRun_IsAnnotatedWithItsOriginAndKeepsItsStatus()
    {
        var old = FailedChain();
        var h = new SchedulerHarness(Pipeline("new", Chain, Finally)).WithReuse(TaskReuse.FromFailed(old.State)).Step();

        var obj = RunObjectWriter.PipelineRun(h.State);

        Assert.Contains(obj["status"]!["childReferences"]!.AsArray(), c => (string?)c!["name"] == "new-a");
        var entry = obj["status"]!["taskRuns"]!["new-a"]!;
        Assert.Equal("old-a", (string?)entry["metadata"]!["annotations"]![MothershipLabels.ReusedFrom]);
        var condition = entry["status"]!["conditions"]![0]!;
        Assert.Equal(("True", "Succeeded"), ((string?)condition["status"], (string?)condition["reason"]));
        Assert.Equal("Reused from TaskRun \"old-a\" of PipelineRun \"old\": it succeeded there and was not run again", (string?)condition["message"]);
        Assert.Equal("yes", (string?)entry["status"]!["results"]![0]!["value"]);
        Assert.Equal("old-a-pod", (string?)entry["status"]!["podName"]);
        Assert.Null(obj["status"]!["taskRuns"]!["new-b"]!["metadata"]);
    }
}
