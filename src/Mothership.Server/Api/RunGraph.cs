using System.Buffers;
using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mothership.Model.Graph;
using Mothership.Model.Tekton;
using Mothership.Model.Tekton.Vocabulary;

namespace Mothership.Server.Api;

/// <summary>
/// The DAG of a PipelineRun as the dashboard draws it: one node per pipeline task with its state
/// (from the run object), edges from <c>runAfter</c> and result references (the model's own
/// graph, so the picture matches what the scheduler does), and the critical path: the chain of
/// dependent tasks with the longest total duration. Pure: values in, JSON out (<see cref="RunGraphDocument"/>).
/// </summary>
public static class RunGraph
{
    /// <summary>
    /// The graph of <paramref name="spec"/> with the states of <paramref name="runObject"/> (the
    /// PipelineRun object, none before it started), written as JSON once. The object is read as a
    /// <see cref="JsonElement"/> and the graph written with a <see cref="Utf8JsonWriter"/>: at 10,000
    /// tasks (an object of several MB) a tree of <see cref="JsonNode"/>s in and out cost several
    /// times the rest of the graph, mostly in garbage collection.
    /// </summary>
    public static RunGraphDocument Build(PipelineSpec spec, JsonElement? runObject, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var graph = PipelineGraph.Build(spec.Tasks);
        var status = Child(runObject ?? default, "status");
        // Grouped once by pipeline task: a lookup per task, not a scan of every TaskRun per task.
        var taskRuns = new Dictionary<string, List<TaskRunView>>(StringComparer.Ordinal);
        if (Child(status, "taskRuns") is { ValueKind: JsonValueKind.Object } all)
        {
            foreach (var property in all.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                var task = Text(property.Value, "pipelineTaskName") ?? "";
                if (!taskRuns.TryGetValue(task, out var list))
                {
                    taskRuns[task] = list = [];
                }

                list.Add(TaskRunView.Read(property.Name, property.Value));
            }
        }

        var skipped = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Child(status, "skippedTasks") is { ValueKind: JsonValueKind.Array } skips)
        {
            foreach (var skip in skips.EnumerateArray())
            {
                if (Text(skip, "name") is { } name)
                {
                    skipped[name] = Text(skip, "reason") ?? "";
                }
            }
        }

        var buffer = new ArrayBufferWriter<byte>();
        using var writer = new Utf8JsonWriter(buffer);
        var nodes = ImmutableArray.CreateBuilder<RunGraphNode>(spec.Tasks.Length + spec.Finally.Length);
        var durations = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (task, isFinally) in spec.Tasks.Select(t => (t, false)).Concat(spec.Finally.Select(t => (t, true))))
        {
            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            WriteNode(writer, task.Name, isFinally, taskRuns.GetValueOrDefault(task.Name) ?? [], skipped.GetValueOrDefault(task.Name), now, out var seconds);
            writer.Flush();
            durations[task.Name] = seconds;
            nodes.Add(new RunGraphNode(task.Name, buffer.WrittenSpan.ToArray()));
        }

        var criticalPath = CriticalPath(graph, durations).ToImmutableArray();
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        writer.WriteStartObject();
        RunGraphDocument.WriteNodes(writer, nodes);
        writer.WriteStartArray("edges");
        foreach (var task in spec.Tasks)
        {
            var results = PipelineGraph.ResultSources(task).ToHashSet(StringComparer.Ordinal);
            foreach (var parent in graph.Parents.GetValueOrDefault(task.Name, []).Distinct())
            {
                writer.WriteStartObject();
                writer.WriteString("from", parent);
                writer.WriteString("to", task.Name);
                writer.WriteString("kind", task.RunAfter.Contains(parent) || !results.Contains(parent) ? "runAfter" : "result");
                writer.WriteEndObject();
            }
        }

        writer.WriteEndArray();
        RunGraphDocument.WriteCriticalPath(writer, criticalPath);
        writer.WriteEndObject();
        writer.Flush();
        return new RunGraphDocument { Nodes = nodes.MoveToImmutable(), CriticalPath = criticalPath, Bytes = buffer.WrittenSpan.ToArray() };
    }

    /// <summary>What the graph reads of one TaskRun of the run object's <c>status.taskRuns</c>.</summary>
    private sealed record TaskRunView(string Name, string? Status, string Reason, string? Message, DateTimeOffset? Start, DateTimeOffset? End, int Attempts,
        string? ReusedFrom, string? ReusedFromPipelineRun)
    {
        public static TaskRunView Read(string name, JsonElement taskRun)
        {
            var status = Child(taskRun, "status");
            var condition = Child(status, "conditions") is { ValueKind: JsonValueKind.Array } conditions && conditions.GetArrayLength() > 0 ? conditions[0] : default;
            var annotations = Child(Child(taskRun, "metadata"), "annotations");
            return new TaskRunView(
                name,
                Text(condition, "status"),
                Text(condition, "reason") ?? "",
                Text(condition, "message"),
                Time(status, "startTime"),
                Time(status, "completionTime"),
                (Child(status, "retriesStatus") is { ValueKind: JsonValueKind.Array } retries ? retries.GetArrayLength() : 0) + 1,
                Text(annotations, MothershipLabels.ReusedFrom),
                Text(annotations, MothershipLabels.ReusedFromPipelineRun));
        }
    }

    private static void WriteNode(Utf8JsonWriter writer, string name, bool isFinally, List<TaskRunView> runs, string? skipReason, DateTimeOffset now, out double seconds)
    {
        var state = skipReason is not null ? "Skipped"
            : runs.Count == 0 ? "Pending"
            : runs.Any(r => r.Status is null or ConditionStatus.Unknown) ? "Running"
            : runs.All(r => r.Status == ConditionStatus.True) ? "Succeeded"
            : runs.Any(r => r.Reason == TaskRunReason.Cancelled) ? "Cancelled"
            : runs.Any(r => r.Reason == TaskRunReason.FailureIgnored) ? "FailureIgnored"
            : "Failed";
        var starts = runs.Select(r => r.Start).OfType<DateTimeOffset>().ToList();
        var ends = runs.Select(r => r.End).OfType<DateTimeOffset>().ToList();
        DateTimeOffset? start = starts.Count > 0 ? starts.Min() : null;
        DateTimeOffset? end = state == "Running" ? null : ends.Count > 0 ? ends.Max() : null;
        var duration = start is { } s ? Math.Max(0, ((end ?? now) - s).TotalSeconds) : 0;
        // Taken over from an earlier run (a rerun from the failure): it cost this run nothing (its node still shows how long it took then).
        var reused = runs.Count > 0 && runs.All(r => r.ReusedFrom is not null) && state == "Succeeded";
        seconds = reused ? 0 : duration;

        var failed = runs.FirstOrDefault(r => r.Status == ConditionStatus.False);
        writer.WriteStartObject();
        writer.WriteString("name", name);
        writer.WriteBoolean("finally", isFinally);
        writer.WriteString("state", reused ? "Reused" : state);
        writer.WriteString("reason", skipReason ?? (runs.Count == 1 ? runs[0].Reason : runs.Select(r => r.Reason).FirstOrDefault(r => r != "Succeeded") ?? runs.Select(r => r.Reason).FirstOrDefault()));
        writer.WriteString("message", (failed ?? runs.FirstOrDefault())?.Message);
        writer.WriteString("taskRun", runs.Count > 0 ? runs[0].Name : null);
        writer.WriteStartArray("taskRuns");
        foreach (var run in runs)
        {
            writer.WriteStringValue(run.Name);
        }

        writer.WriteEndArray();
        writer.WriteString("startTime", start?.ToString("O", CultureInfo.InvariantCulture));
        writer.WriteString("completionTime", end?.ToString("O", CultureInfo.InvariantCulture));
        writer.WriteNumber("durationSeconds", Math.Round(duration, 3));
        writer.WriteString("skipReason", skipReason);
        writer.WriteNumber("attempts", runs.Count == 0 ? 0 : runs.Max(r => r.Attempts));
        writer.WriteNumber("matrix", runs.Count);
        if (reused)
        {
            writer.WriteStartObject("reusedFrom");
            writer.WriteString("pipelineRun", runs[0].ReusedFromPipelineRun);
            writer.WriteStartArray("taskRuns");
            foreach (var run in runs)
            {
                writer.WriteStringValue(run.ReusedFrom);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
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

    /// <summary>A property of an object; the undefined element (<c>default</c>) when <paramref name="element"/> is not an object or lacks it, so lookups chain.</summary>
    private static JsonElement Child(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) ? value : default;

    private static string? Text(JsonElement element, string property) =>
        Child(element, property) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    private static DateTimeOffset? Time(JsonElement element, string property) =>
        DateTimeOffset.TryParse(Text(element, property), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
}
