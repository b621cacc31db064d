using System.Text.Json.Nodes;
using Mothership.Engine.Scheduling;
using Mothership.Engine.Status;
using Mothership.Model.Tekton;
using Mothership.Model.Tekton.Vocabulary;
using Mothership.Store;

namespace Mothership.Server.Runs;

/// <summary>
/// The TaskRuns a PipelineRun made, as lists and <c>GET …/taskruns/NAME</c> show them. They are not
/// stored as runs of their own (the PipelineRun's journal drives them and its run object's
/// <c>status.taskRuns</c> holds their status), so they are read from there, labelled as Tekton
/// labels them (<c>tekton.dev/pipelineRun</c>, <c>tekton.dev/pipelineTask</c>, the PipelineRun's
/// own labels) so that <c>mship get tr</c> shows what <c>kubectl get taskruns</c> would. Pure.
/// </summary>
internal static class ChildTaskRuns
{
    /// <summary>The list rows (<see cref="RunObjects.Summary"/>'s shape, with <c>pipelineRun</c>) of the TaskRuns in <paramref name="runObject"/>.</summary>
    public static IEnumerable<JsonObject> Summaries(RunSummary pipelineRun, JsonObject runObject)
    {
        foreach (var (name, entry) in TaskRunsOf(runObject))
        {
            var status = entry["status"] as JsonObject;
            var condition = status?["conditions"]?[0];
            var conditionStatus = (string?)condition?["status"] ?? ConditionStatus.Unknown;
            var reason = (string?)condition?["reason"] ?? "";
            var row = new JsonObject
            {
                ["kind"] = nameof(TaskRun),
                ["name"] = name,
                ["uid"] = PipelineTaskRuns.Uid(pipelineRun.Uid, name),
                ["pipeline"] = pipelineRun.Pipeline,
                ["pipelineRun"] = pipelineRun.Name,
                ["phase"] = (conditionStatus != ConditionStatus.Unknown ? RunPhase.Finished
                    : reason == TaskRunReason.Pending ? RunPhase.Pending : RunPhase.Running).ToString(),
                ["status"] = conditionStatus,
                ["reason"] = reason,
                ["creationTimestamp"] = RunObjectWriter.Time(pipelineRun.CreatedAt),
                ["startTime"] = (string?)status?["startTime"],
                ["completionTime"] = (string?)status?["completionTime"],
                ["labels"] = Labels(pipelineRun, (string?)entry["pipelineTaskName"] ?? ""),
            };
            if (ReusedFrom(entry) is { } from)
            {
                row["reusedFrom"] = from;
            }

            yield return row;
        }
    }

    /// <summary>The TaskRun <paramref name="name"/> of <paramref name="pipelineRun"/> as a Tekton TaskRun object (metadata and status), or null when it made none of that name.</summary>
    public static JsonObject? Find(RunSummary pipelineRun, JsonObject runObject, string name)
    {
        if (TaskRunsOf(runObject).FirstOrDefault(t => t.Name == name) is not ({ } found, { } entry))
        {
            return null;
        }

        var task = (string?)entry["pipelineTaskName"] ?? "";
        var taskRun = new JsonObject
        {
            ["apiVersion"] = TektonLabels.ApiVersion,
            ["kind"] = nameof(TaskRun),
            ["metadata"] = new JsonObject
            {
                ["name"] = found,
                ["namespace"] = (string?)runObject["metadata"]?["namespace"] ?? "default",
                ["uid"] = PipelineTaskRuns.Uid(pipelineRun.Uid, found),
                ["creationTimestamp"] = RunObjectWriter.Time(pipelineRun.CreatedAt),
                ["labels"] = Labels(pipelineRun, task),
                ["ownerReferences"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = TektonLabels.ApiVersion, ["kind"] = nameof(PipelineRun), ["name"] = pipelineRun.Name, ["uid"] = pipelineRun.Uid,
                }),
            },
            ["status"] = entry["status"]?.DeepClone(),
        };
        if (entry["metadata"]?["annotations"] is JsonObject annotations)
        {
            taskRun["metadata"]!["annotations"] = annotations.DeepClone();
        }

        return taskRun;
    }

    /// <summary>The TaskRun a reused one was taken over from (a rerun from the failure), or null when it ran.</summary>
    private static string? ReusedFrom(JsonObject entry) => (string?)entry["metadata"]?["annotations"]?[MothershipLabels.ReusedFrom];

    /// <summary>
    /// The PipelineRuns that may have made a TaskRun named <paramref name="name"/>: Tekton names a
    /// child <c>RUN-TASK</c> (<see cref="PipelineTaskRuns.Name"/>), so every prefix that ends before
    /// a dash, longest first. Names shortened with a hash (past 63 characters) are not found this way.
    /// </summary>
    public static IEnumerable<string> ParentCandidates(string name)
    {
        for (var i = name.LastIndexOf('-'); i > 0; i = name.LastIndexOf('-', i - 1))
        {
            yield return name[..i];
        }
    }

    private static IEnumerable<(string Name, JsonObject Entry)> TaskRunsOf(JsonObject runObject) =>
        runObject["status"]?["taskRuns"] is JsonObject taskRuns
            ? taskRuns.Where(kv => kv.Value is JsonObject).Select(kv => (kv.Key, (JsonObject)kv.Value!))
            : [];

    private static JsonObject Labels(RunSummary pipelineRun, string pipelineTask)
    {
        var labels = new JsonObject();
        foreach (var (key, value) in pipelineRun.Labels)
        {
            labels[key] = value;
        }

        if (pipelineRun.Pipeline.Length > 0)
        {
            labels[TektonLabels.Pipeline] = pipelineRun.Pipeline;
        }

        labels[TektonLabels.PipelineRun] = pipelineRun.Name;
        labels[TektonLabels.PipelineTask] = pipelineTask;
        return labels;
    }
}
