using System.Globalization;
using System.Text.Json.Nodes;
using Mothership.Model.Graph;
using Mothership.Model.Tekton;
using Mothership.Model.Tekton.Vocabulary;

namespace Mothership.Server.Api;

/// <summary>
/// The DAG of a PipelineRun as the dashboard draws it: one node per pipeline task with its state
/// (from the run object), edges from <c>runAfter</c> and result references (the model's own
/// graph, so the picture matches what the scheduler does), and the critical path: the chain of
/// dependent tasks with the longest total duration. Pure: values in, JSON out.
/// </summary>
public static class RunGraph
{
    public static JsonObject Build(PipelineSpec spec, JsonObject? runObject, DateTimeOffset now)
    {
        var graph = PipelineGraph.Build(spec.Tasks);
        var status = runObject?["status"] as JsonObject;
        // Grouped once by pipeline task: a lookup per task, not a scan of every TaskRun per task.
        var taskRuns = ((status?["taskRuns"] as JsonObject)?.Select(kv => (Name: kv.Key, Run: kv.Value as JsonObject))
            .Where(x => x.Run is not null) ?? []).ToLookup(x => (string?)x.Run!["pipelineTaskName"] ?? "", StringComparer.Ordinal);
        var skipped = (status?["skippedTasks"] as JsonArray)?.OfType<JsonObject>()
            .ToDictionary(s => (string)s["name"]!, s => (string?)s["reason"] ?? "", StringComparer.Ordinal) ?? [];

        var nodes = new JsonArray();
        var durations = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (task, isFinally) in spec.Tasks.Select(t => (t, false)).Concat(spec.Finally.Select(t => (t, true))))
        {
            var own = taskRuns[task.Name].ToList();
            var runs = own.Select(x => (x.Name, Status: x.Run!["status"] as JsonObject)).ToList();
            var node = Node(task.Name, isFinally, runs, skipped.GetValueOrDefault(task.Name), now, out var seconds);
            var reusedFrom = own.Select(x => x.Run!["metadata"]?["annotations"]).ToList();
            if (reusedFrom.Count > 0 && reusedFrom.All(a => a?[MothershipLabels.ReusedFrom] is not null) && (string?)node["state"] == "Succeeded")
            {
                // Taken over from an earlier run (a rerun from the failure): it cost this run nothing.
                node["state"] = "Reused";
                node["reusedFrom"] = new JsonObject
                {
                    ["pipelineRun"] = (string?)reusedFrom[0]![MothershipLabels.ReusedFromPipelineRun],
                    ["taskRuns"] = new JsonArray([.. reusedFrom.Select(a => (JsonNode?)JsonValue.Create((string?)a![MothershipLabels.ReusedFrom]))]),
                };
                seconds = 0;
            }

            durations[task.Name] = seconds;
            nodes.Add(node);
        }

        var edges = new JsonArray();
        foreach (var task in spec.Tasks)
        {
            var results = PipelineGraph.ResultSources(task).ToHashSet(StringComparer.Ordinal);
            foreach (var parent in graph.Parents.GetValueOrDefault(task.Name, []).Distinct())
            {
                edges.Add(new JsonObject
                {
                    ["from"] = parent,
                    ["to"] = task.Name,
                    ["kind"] = task.RunAfter.Contains(parent) || !results.Contains(parent) ? "runAfter" : "result",
                });
            }
        }

        return new JsonObject
        {
            ["nodes"] = nodes,
            ["edges"] = edges,
            ["criticalPath"] = new JsonArray([.. CriticalPath(graph, durations).Select(n => (JsonNode)JsonValue.Create(n))]),
        };
    }

    private static JsonObject Node(string name, bool isFinally, List<(string Name, JsonObject? Status)> runs, string? skipReason, DateTimeOffset now, out double seconds)
    {
        var conditions = runs.Select(r => r.Status?["conditions"]?[0]).ToList();
        var statuses = conditions.Select(c => (string?)c?["status"]).ToList();
        var reasons = conditions.Select(c => (string?)c?["reason"] ?? "").ToList();
        var state = skipReason is not null ? "Skipped"
            : runs.Count == 0 ? "Pending"
            : statuses.Any(s => s is null or ConditionStatus.Unknown) ? "Running"
            : statuses.All(s => s == ConditionStatus.True) ? "Succeeded"
            : reasons.Any(r => r == TaskRunReason.Cancelled) ? "Cancelled"
            : reasons.Any(r => r == TaskRunReason.FailureIgnored) ? "FailureIgnored"
            : "Failed";
        var starts = runs.Select(r => Time(r.Status?["startTime"])).OfType<DateTimeOffset>().ToList();
        var ends = runs.Select(r => Time(r.Status?["completionTime"])).OfType<DateTimeOffset>().ToList();
        DateTimeOffset? start = starts.Count > 0 ? starts.Min() : null;
        DateTimeOffset? end = state == "Running" ? null : ends.Count > 0 ? ends.Max() : null;
        seconds = start is { } s ? Math.Max(0, ((end ?? now) - s).TotalSeconds) : 0;
        var failed = conditions.FirstOrDefault(c => (string?)c?["status"] == ConditionStatus.False);
        return new JsonObject
        {
            ["name"] = name,
            ["finally"] = isFinally,
            ["state"] = state,
            ["reason"] = skipReason ?? (reasons.Count == 1 ? reasons[0] : reasons.FirstOrDefault(r => r != "Succeeded") ?? reasons.FirstOrDefault()),
            ["message"] = (string?)(failed ?? conditions.FirstOrDefault())?["message"],
            ["taskRun"] = runs.Count > 0 ? runs[0].Name : null,
            ["taskRuns"] = new JsonArray([.. runs.Select(r => (JsonNode)JsonValue.Create(r.Name))]),
            ["startTime"] = start?.ToString("O", CultureInfo.InvariantCulture),
            ["completionTime"] = end?.ToString("O", CultureInfo.InvariantCulture),
            ["durationSeconds"] = Math.Round(seconds, 3),
            ["skipReason"] = skipReason,
            ["attempts"] = runs.Count == 0 ? 0 : runs.Max(r => ((r.Status?["retriesStatus"] as JsonArray)?.Count ?? 0) + 1),
            ["matrix"] = runs.Count,
        };
    }

    /// <summary>The dependency chain with the largest sum of durations (ties: the longer chain, then the first in topological order).</summary>
    public static IReadOnlyList<string> CriticalPath(PipelineGraph graph, IReadOnlyDictionary<string, double> durations)
    {
        if (graph.Cycle is not null || graph.Order.IsEmpty)
        {
            return [];
        }

        // Ties (e.g. tasks too short to measure) go to the longer chain, then to the first in order.
        var best = new Dictionary<string, (double Total, int Length, string? Via)>(StringComparer.Ordinal);
        foreach (var name in graph.Order)
        {
            var via = graph.Parents.GetValueOrDefault(name, []).Where(best.ContainsKey)
                .OrderByDescending(p => best[p].Total).ThenByDescending(p => best[p].Length).FirstOrDefault();
            best[name] = via is null ? (durations.GetValueOrDefault(name), 1, null) : (best[via].Total + durations.GetValueOrDefault(name), best[via].Length + 1, via);
        }

        var path = new List<string>();
        for (var at = best.OrderByDescending(kv => kv.Value.Total).ThenByDescending(kv => kv.Value.Length).First().Key; at is not null; at = best[at].Via)
        {
            path.Add(at);
        }

        path.Reverse();
        return path;
    }

    private static DateTimeOffset? Time(JsonNode? node) =>
        (string?)node is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
}
