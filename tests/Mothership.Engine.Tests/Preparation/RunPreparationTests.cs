using Mothership.Engine.Preparation;
using Mothership.Engine.Resolution;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Tests.Preparation;

public sealed class RunPreparationTests
{
    private static ResourceSet Load(string yaml)
    {
        var bag = new DiagnosticBag();
        var resources = new ResourceSet { All = [.. ResourceLoader.Load("r.yaml", yaml, bag)] };
        Assert.False(bag.HasErrors, string.Join("\n", bag.Items));
        return resources;
    }

    private const string Pipeline = """
        apiVersion: tekton.dev/v1
        kind: Pipeline
        metadata: {name: build}
        spec:
          params: [{name: who}, {name: mode, default: fast}]
          workspaces: [{name: src}]
          tasks:
            - name: t
              taskSpec:
                steps: [{image: i, script: 'echo $(params.who)'}]
        ---
        apiVersion: tekton.dev/v1
        kind: PipelineRun
        metadata: {generateName: build-run-}
        spec:
          pipelineRef: {name: build}
          params: [{name: who, value: alice}]
          workspaces: [{name: src, emptyDir: {}}]
        """;

    [Fact]
    public void Prepare_PipelineRun_NamedResolvedAndChecked()
    {
        var resources = Load(Pipeline);

        var prepared = RunPreparation.Prepare(resources.PipelineRuns.Single(), resources);

        var run = Assert.IsType<PreparedPipelineRun>(prepared);
        Assert.Matches("^build-run-[a-z0-9]{5}$", run.Run.Metadata.Name!);
        Assert.Null(run.Run.Metadata.GenerateName);
        Assert.Equal("alice", run.Params["who"].StringValue);
        Assert.Equal("fast", run.Params["mode"].StringValue);
        Assert.Equal("t", Assert.Single(run.Graph.Order));
    }

    [Fact]
    public void Prepare_InputsGivenAtStart_WinByName()
    {
        var resources = Load(Pipeline);

        var run = (PreparedPipelineRun)RunPreparation.Prepare(resources.PipelineRuns.Single(), resources, new RunInputs
        {
            Params = [new Param { Name = "who", Value = ParamValue.Of("bob") }],
        });

        Assert.Equal("bob", run.Params["who"].StringValue);
        Assert.Single(run.Run.Spec.Params);
    }

    [Theory]
    [InlineData("params: [{name: who, value: alice}]", "PipelineRun 'x' does not bind the required workspace 'src'")]
    [InlineData("workspaces: [{name: src, emptyDir: {}}]", "PipelineRun 'x': param 'who' has no default and no value was passed")]
    public void Prepare_MissingParamOrWorkspace_IsTheUsersMistake(string given, string message)
    {
        var resources = Load(Pipeline.Split("---")[0] + "---\napiVersion: tekton.dev/v1\nkind: PipelineRun\nmetadata: {name: x}\nspec:\n  pipelineRef: {name: build}\n  " + given + "\n");

        var e = Assert.Throws<TaskResolutionException>(() => RunPreparation.Prepare(resources.PipelineRuns.Single(), resources));

        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prepare_TaskRun_TimeoutDefaultsToAnHourAndParamsAreChecked()
    {
        var resources = Load("""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata: {name: tr}
            spec:
              params: [{name: n, value: [a, b]}]
              taskSpec:
                params: [{name: n, type: string}]
                steps: [{image: i, script: x}]
            """);

        var e = Assert.Throws<TaskResolutionException>(() => RunPreparation.Prepare(resources.TaskRuns.Single(), resources));

        Assert.Contains("is declared string but was given array value", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prepare_TaskRun_TimeoutFromTheRun()
    {
        var resources = Load("apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {name: tr}\nspec:\n  timeout: 90s\n  taskSpec:\n    steps: [{image: i, script: x}]\n---\napiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {name: other}\nspec:\n  taskSpec:\n    steps: [{image: i, script: x}]\n");

        Assert.Equal(TimeSpan.FromSeconds(90), ((PreparedTaskRun)RunPreparation.Prepare(resources.TaskRuns.First(), resources)).Timeout);
        Assert.Equal(TimeSpan.FromHours(1), ((PreparedTaskRun)RunPreparation.Prepare(resources.TaskRuns.Last(), resources)).Timeout);
    }
}
