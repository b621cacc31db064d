using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Mothership.Server.Runs;
using Mothership.Store;

namespace Mothership.Server.Tests.Runs;

public sealed class ChildTaskRunsTests
{
    private static readonly RunSummary PipelineRun = new()
    {
        Uid = "u-1",
        Kind = "PipelineRun",
        Name = "build-x",
        Pipeline = "build",
        Labels = ImmutableSortedDictionary<string, string>.Empty.Add("app", "web"),
        Phase = RunPhase.Finished,
        Status = "False",
        Reason = "Failed",
        CreatedAt = DateTimeOffset.UnixEpoch,
    };

    private static readonly JsonObject RunObject = JsonNode.Parse("""
        {"metadata": {"name": "build-x"},
         "status": {"taskRuns": {
           "build-x-compile": {"pipelineTaskName": "compile", "status": {"conditions": [{"type": "Succeeded", "status": "True", "reason": "Succeeded"}], "startTime": "2026-01-01T00:00:00Z"}},
           "build-x-test": {"pipelineTaskName": "test", "status": {"conditions": [{"type": "Succeeded", "status": "Unknown", "reason": "Pending"}]}}}}}
        """)!.AsObject();

    [Fact]
    public void Summaries_PipelineRunWithTwoTaskRuns_EachWithItsOwnStatusAndTektonsLabels()
    {
        var rows = ChildTaskRuns.Summaries(PipelineRun, RunObject).ToList();

        Assert.Equal(["build-x-compile", "build-x-test"], rows.Select(r => (string?)r["name"]));
        Assert.Equal(["Succeeded", "Pending"], rows.Select(r => (string?)r["reason"]));
        Assert.Equal(["Finished", "Pending"], rows.Select(r => (string?)r["phase"]));
        Assert.All(rows, r => Assert.Equal("build-x", (string?)r["pipelineRun"]));
        Assert.Equal("web", (string?)rows[0]["labels"]!["app"]);
        Assert.Equal("build", (string?)rows[0]["labels"]!["tekton.dev/pipeline"]);
        Assert.Equal("compile", (string?)rows[0]["labels"]!["tekton.dev/pipelineTask"]);
    }

    [Fact]
    public void Find_ChildName_TaskRunObjectOwnedByThePipelineRun()
    {
        var found = ChildTaskRuns.Find(PipelineRun, RunObject, "build-x-compile")!;

        Assert.Equal("TaskRun", (string?)found["kind"]);
        Assert.Equal("build-x", (string?)found["metadata"]!["labels"]!["tekton.dev/pipelineRun"]);
        Assert.Equal("u-1", (string?)found["metadata"]!["ownerReferences"]![0]!["uid"]);
        Assert.Equal("Succeeded", (string?)found["status"]!["conditions"]![0]!["reason"]);
        Assert.Null(ChildTaskRuns.Find(PipelineRun, RunObject, "build-x-nosuch"));
    }

    [Fact]
    public void ParentCandidates_ChildName_EveryPrefixBeforeADashLongestFirst() =>
        Assert.Equal(["a-b-c", "a-b", "a"], ChildTaskRuns.ParentCandidates("a-b-c-d"));
}
