using Mothership.Model.Diagnostics;
using Mothership.Model.Graph;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;

namespace Mothership.Model.Tests.Graph;

public sealed class PipelineGraphTests
{
    private static PipelineGraph Build(string tasks)
    {
        var bag = new DiagnosticBag();
        var yaml = $"apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata: {{name: p}}\nspec:\n  tasks:\n{tasks}";
        var pipeline = (Pipeline)ResourceLoader.Load("p.yaml", yaml, bag)[0];
        return PipelineGraph.Build(pipeline.Spec.Tasks);
    }

    private const string Spec = "taskSpec: {steps: [{name: s, image: x, script: 'true'}]}";

    [Fact]
    public void Build_RunAfterAndResultReferences_BothCreateEdges()
    {
        var g = Build($"""
                - {"{"}name: c, runAfter: [b], params: [{"{"}name: x, value: "$(tasks.a.results.r)"{"}"}], {Spec}{"}"}
                - {"{"}name: a, {Spec}{"}"}
                - {"{"}name: b, when: [{"{"}input: "$(tasks.a.results.q)", operator: in, values: [y]{"}"}], {Spec}{"}"}
            """);
        Assert.Null(g.Cycle);
        Assert.Equal(["a", "b"], g.Parents["c"].Order());
        Assert.Equal(["a"], g.Parents["b"]);
        Assert.Equal(["a", "b", "c"], g.Order);
        Assert.Equal(["b", "c"], g.Children["a"].Order());
    }

    [Fact]
    public void Build_Cycle_ReportsItsPath()
    {
        var g = Build($"""
                - {"{"}name: a, runAfter: [c], {Spec}{"}"}
                - {"{"}name: b, runAfter: [a], {Spec}{"}"}
                - {"{"}name: c, runAfter: [b], {Spec}{"}"}
                - {"{"}name: free, {Spec}{"}"}
            """);
        var cycle = g.Cycle!.Value;
        Assert.Equal(cycle[0], cycle[^1]);
        Assert.Equal(4, cycle.Length);
        Assert.Equal(["a", "b", "c"], cycle.Take(3).Order());
        Assert.Equal(["free"], g.Order);
    }

    [Fact]
    public void Build_TenThousandTaskChain_DoesNotRecurse()
    {
        var tasks = new Mothership.Model.Tekton.PipelineTask[10_000];
        for (var i = 0; i < tasks.Length; i++)
        {
            tasks[i] = new PipelineTask { Name = $"t{i}", RunAfter = i == 0 ? [] : [$"t{i - 1}"] };
        }

        var g = PipelineGraph.Build(tasks);
        Assert.Equal(10_000, g.Order.Length);
        Assert.Equal("t9999", g.Order[^1]);
    }
}
