using System.Text.Json.Nodes;
using Mothership.Cli.Output.Progress;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;
using Mothership.Server.Api;

namespace Mothership.Cli.Tests.Output.Progress;

public sealed class ProgressSnapshotTests
{
    private const string PipelineYaml = """
        apiVersion: tekton.dev/v1
        kind: Pipeline
        metadata: {name: deploy}
        spec:
          tasks:
            - {name: a, taskSpec: {steps: [{name: s, image: x, script: "true"}]}}
            - {name: b, runAfter: [a], taskSpec: {steps: [{name: s, image: x, script: "true"}]}}
            - {name: c, runAfter: [a], taskSpec: {steps: [{name: s, image: x, script: "true"}]}}
            - {name: d, runAfter: [b, c], taskSpec: {steps: [{name: s, image: x, script: "true"}]}}
            - {name: e, taskSpec: {steps: [{name: s, image: x, script: "true"}]}}
          finally:
            - {name: summary, taskSpec: {steps: [{name: s, image: x, script: "true"}]}}
        """;

    private static PipelineSpec Spec()
    {
        var bag = new DiagnosticBag();
        var pipeline = ResourceLoader.Load("pipeline.yaml", PipelineYaml, bag).OfType<Pipeline>().Single();
        Assert.False(bag.HasErrors, string.Join("\n", bag.Items));
        return pipeline.Spec;
    }

    /// <summary>A run object as the engine writes it: a done, b running, c's TaskRun created but pending, d not started, e skipped.</summary>
    private static JsonObject RunObject(string? estimates)
    {
        var annotations = estimates is null ? "{}" : new JsonObject { ["mothership.io/estimated-durations"] = estimates }.ToJsonString();
        return JsonNode.Parse($$$"""
        {
          "metadata": {"name": "deploy-run-1", "annotations": {{{annotations}}} },
          "status": {
            "startTime": "2026-05-01T12:00:00Z",
            "conditions": [{"type": "Succeeded", "status": "Unknown", "reason": "Running"}],
            "skippedTasks": [{"name": "e", "reason": "When Expressions evaluated to false"}],
            "taskRuns": {
              "deploy-run-1-a": {"pipelineTaskName": "a", "status": {"conditions": [{"type": "Succeeded", "status": "True", "reason": "Succeeded"}], "startTime": "2026-05-01T12:00:01Z", "completionTime": "2026-05-01T12:01:31Z"}},
              "deploy-run-1-b": {"pipelineTaskName": "b", "status": {"conditions": [{"type": "Succeeded", "status": "Unknown", "reason": "Running"}], "startTime": "2026-05-01T12:01:32Z"}},
              "deploy-run-1-c": {"pipelineTaskName": "c", "status": {"conditions": [{"type": "Succeeded", "status": "Unknown", "reason": "Pending"}]}}
            }
          }
        }
        """)!.AsObject();
    }

    private static ProgressSnapshot Snapshot(string? estimates)
    {
        var run = RunObject(estimates);
        using var document = System.Text.Json.JsonDocument.Parse(run.ToJsonString());
        return ProgressSnapshot.From(run, RunGraph.Build(new RunGraphShape(Spec()), document.RootElement, DateTimeOffset.Parse("2026-05-01T12:02:00Z", System.Globalization.CultureInfo.InvariantCulture)).ToJsonObject());
    }

    [Fact]
    public void From_RunObjectAndItsGraph_StatesOfEachTask()
    {
        var tasks = Snapshot(null).Tasks.ToDictionary(t => t.Name);

        Assert.Equal(ProgressTaskState.Succeeded, tasks["a"].State);
        Assert.Equal(ProgressTaskState.Running, tasks["b"].State);
        Assert.Equal(ProgressTaskState.Waiting, tasks["c"].State);
        Assert.Equal(ProgressTaskState.Waiting, tasks["d"].State);
        Assert.Equal(ProgressTaskState.Skipped, tasks["e"].State);
        Assert.Equal("When Expressions evaluated to false", tasks["e"].Reason);
        Assert.True(tasks["summary"].IsFinally);
        Assert.Equal(TimeSpan.FromSeconds(90), tasks["a"].CompletionTime - tasks["a"].StartTime);
    }

    [Fact]
    public void From_RunObjectAndItsGraph_ParentsAndRunStatus()
    {
        var snapshot = Snapshot(null);

        Assert.Equal(["b", "c"], snapshot.Tasks.Single(t => t.Name == "d").Parents.Order());
        Assert.Equal("deploy-run-1", snapshot.RunName);
        Assert.False(snapshot.Finished);
        Assert.Equal("Running", snapshot.Reason);
        Assert.All(snapshot.Tasks, t => Assert.Null(t.Estimate));
    }

    [Fact]
    public void From_EstimatesAnnotation_EachNamedTaskCarriesItsEstimate()
    {
        var tasks = Snapshot("""{"a":"5m","b":"1m30s","d":"2m"}""").Tasks.ToDictionary(t => t.Name);

        Assert.Equal(TimeSpan.FromMinutes(5), tasks["a"].Estimate);
        Assert.Equal(TimeSpan.FromSeconds(90), tasks["b"].Estimate);
        Assert.Null(tasks["c"].Estimate);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""["a"]""")]
    [InlineData("""{"a":"soon","b":5}""")]
    [InlineData("")]
    public void Estimates_Unreadable_NoneAreTaken(string annotation) => Assert.Empty(ProgressSnapshot.Estimates(annotation));
}
