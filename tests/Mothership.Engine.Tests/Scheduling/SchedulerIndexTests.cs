using System.Text;
using Mothership.Engine.Execution;
using Mothership.Engine.Scheduling;

namespace Mothership.Engine.Tests.Scheduling;

public sealed class SchedulerIndexTests
{
    private static string LayeredPipeline(int layers, int width, string finallyTasks = "")
    {
        var yaml = new StringBuilder("""
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata: {name: pr}
            spec:
              pipelineSpec:
                tasks:

            """);
        for (var l = 0; l < layers; l++)
        {
            for (var w = 0; w < width; w++)
            {
                var after = l == 0 ? "" : $"runAfter: [t{l - 1}-{w}, t{l - 1}-{(w + 1) % width}], ";
                yaml.Append($"      - {{name: t{l}-{w}, {after}taskSpec: {{steps: [{{name: s, image: x, script: 'true'}}]}}}}\n");
            }
        }

        return yaml + finallyTasks;
    }

    private static void AssertConsistent(PipelineRunState s)
    {
        var kept = s.Index!;
        var rebuilt = SchedulerIndex.Build(s);
        Assert.Equal(rebuilt.DagPending, kept.DagPending);
        Assert.Equal(rebuilt.DagOpen, kept.DagOpen);
        Assert.Equal(rebuilt.FinallyOpen, kept.FinallyOpen);
        Assert.Equal(rebuilt.DagFailures, kept.DagFailures);
        Assert.Equal(rebuilt.Running.Order(), kept.Running.Order());

        // Kept candidates may include tasks not ready yet (dropped when visited), never miss a ready one.
        Assert.Subset(kept.Candidates.ToHashSet(), rebuilt.Candidates.ToHashSet());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Update_AnyFinishOrder_MatchesIndexRebuiltFromTasks(int seed)
    {
        var h = new SchedulerHarness(LayeredPipeline(4, 5)).Step();
        var random = new Random(seed);
        AssertConsistent(h.State);
        while (h.Running.Count > 0)
        {
            var next = h.Running[random.Next(h.Running.Count)];
            var parents = h.State.Graph.Parents[next.PipelineTask];
            Assert.All(parents, p => Assert.Equal(TaskPhase.Succeeded, h.State.Tasks[p].Phase));
            h.Succeed(next.PipelineTask);
            AssertConsistent(h.State);
        }

        Assert.Equal("Succeeded", h.State.Completion!.Reason);
        Assert.Equal(20, h.State.Tasks.Values.Count(t => t.Phase == TaskPhase.Succeeded));
    }

    [Fact]
    public void Update_FailureMidRun_StopsWithConsistentCountsAndRunsFinally()
    {
        var h = new SchedulerHarness(LayeredPipeline(3, 4, """
                finally:
                  - {name: f, taskSpec: {steps: [{name: s, image: x, script: 'true'}]}}

            """)).Step();
        h.Succeed("t0-0").Succeed("t0-1");
        h.Finish("t0-2", TaskRunPhase.Failed);
        AssertConsistent(h.State);
        Assert.Equal(1, h.State.Index!.DagFailures);
        Assert.Equal(0, h.State.Index.DagPending);
        while (h.Running.Count > 0)
        {
            h.Succeed(h.Running[0].PipelineTask);
            AssertConsistent(h.State);
        }

        Assert.Equal(TaskPhase.Succeeded, h.State.Tasks["f"].Phase);
        Assert.Equal("Failed", h.State.Completion!.Reason);
    }

    [Fact]
    public void Next_StateWithoutIndex_RebuildsItAndDecidesTheSame()
    {
        var h = new SchedulerHarness(LayeredPipeline(2, 3)).Step();
        h.Succeed("t0-0");
        var withIndex = PipelineRunScheduler.Next(h.State, h.Now);
        var without = PipelineRunScheduler.Next(h.State with { Index = null }, h.Now);
        Assert.Equal(withIndex.Actions.Select(a => a.PipelineTask), without.Actions.Select(a => a.PipelineTask));
        Assert.Equal(withIndex.State.Tasks.Values.Select(t => (t.Name, t.Phase)).Order(), without.State.Tasks.Values.Select(t => (t.Name, t.Phase)).Order());
    }
}
