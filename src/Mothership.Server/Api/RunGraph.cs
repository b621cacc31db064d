using System.Buffers;
using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
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
    /// The graph of <paramref name="shape"/>'s pipeline with the states of <paramref name="runObject"/>
    /// (the PipelineRun object, none before it started), written as JSON once. The object is read as a
    /// <see cref="JsonElement"/> and the graph written with a <see cref="Utf8JsonWriter"/>: at 10,000
    /// tasks (an object of several MB) a tree of <c>JsonNode</c>s in and out cost several times the
    /// rest of the graph, mostly in garbage collection. What the pipeline alone decides (the DAG, the
    /// edges) is the shape's, made once per run.
    /// </summary>
    public static RunGraphDocument Build(RunGraphShape shape, JsonElement? runObject, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var parts = shape.Parts;
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
        var nodes = ImmutableArray.CreateBuilder<RunGraphNode>(parts.Nodes.Length);
        var seconds = new double[parts.Nodes.Length];
        for (var i = 0; i < parts.Nodes.Length; i++)
        {
            var (task, isFinally) = parts.Nodes[i];
            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            WriteNode(writer, task.Name, isFinally, taskRuns.GetValueOrDefault(task.Name) ?? [], skipped.GetValueOrDefault(task.Name), now, out seconds[i]);
            writer.Flush();
            nodes.Add(new RunGraphNode(task.Name, buffer.WrittenSpan.ToArray()));
        }

        var criticalPath = shape.Graph.Cycle is null ? CriticalPath(parts, seconds, nodes) : [];
        // Sized for the whole document at once: grown by doubling, a 10,000-task graph left about
        // 7 MB of large-object garbage per build besides the document (and large objects count
        // toward collections of the whole heap).
        var size = parts.Edges.Length + 64;
        foreach (var node in nodes)
        {
            size += node.Json.Length + 1;
        }

        foreach (var name in criticalPath)
        {
            size += name.Length + 3;
        }

        buffer = new ArrayBufferWriter<byte>(size);
        writer.Reset(buffer);
        writer.WriteStartObject();
        RunGraphDocument.WriteNodes(writer, nodes);
        writer.WritePropertyName("edges");
        writer.WriteRawValue(parts.Edges, skipInputValidation: true);
        RunGraphDocument.WriteCriticalPath(writer, criticalPath);
        writer.WriteEndObject();
        writer.Flush();
        return new RunGraphDocument { Nodes = nodes.MoveToImmutable(), CriticalPath = criticalPath, Bytes = buffer.WrittenSpan.ToArray() };
    }

    /// <summary>
    /// What the graph reads of one TaskRun of the run object's <c>status.taskRuns</c>. The message is
    /// kept as the element (read only for the node that shows it), within the document being read.
    /// </summary>
    private sealed record TaskRunView(string Name, string? Status, string Reason, JsonElement Message, DateTimeOffset? Start, DateTimeOffset? End, int Attempts,
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
                Child(condition, "message"),
                Time(status, "startTime"),
                Time(status, "completionTime"),
                (Child(status, "retriesStatus") is { ValueKind: JsonValueKind.Array } retries ? retries.GetArrayLength() : 0) + 1,
                Text(annotations, MothershipLabels.ReusedFrom),
                Text(annotations, MothershipLabels.ReusedFromPipelineRun));
        }
    }

    // Property names and states encoded once: at 10,000 nodes, encoding each name again was most of the time spent writing them.
    private static readonly JsonEncodedText NameProperty = JsonEncodedText.Encode("name");
    private static readonly JsonEncodedText FinallyProperty = JsonEncodedText.Encode("finally");
    private static readonly JsonEncodedText StateProperty = JsonEncodedText.Encode("state");
    private static readonly JsonEncodedText ReasonProperty = JsonEncodedText.Encode("reason");
    private static readonly JsonEncodedText MessageProperty = JsonEncodedText.Encode("message");
    private static readonly JsonEncodedText TaskRunProperty = JsonEncodedText.Encode("taskRun");
    private static readonly JsonEncodedText TaskRunsProperty = JsonEncodedText.Encode("taskRuns");
    private static readonly JsonEncodedText StartTimeProperty = JsonEncodedText.Encode("startTime");
    private static readonly JsonEncodedText CompletionTimeProperty = JsonEncodedText.Encode("completionTime");
    private static readonly JsonEncodedText DurationProperty = JsonEncodedText.Encode("durationSeconds");
    private static readonly JsonEncodedText SkipReasonProperty = JsonEncodedText.Encode("skipReason");
    private static readonly JsonEncodedText AttemptsProperty = JsonEncodedText.Encode("attempts");
    private static readonly JsonEncodedText MatrixProperty = JsonEncodedText.Encode("matrix");
    private static readonly JsonEncodedText ReusedFromProperty = JsonEncodedText.Encode("reusedFrom");
    private static readonly JsonEncodedText PipelineRunProperty = JsonEncodedText.Encode("pipelineRun");
    private static readonly JsonEncodedText Skipped = JsonEncodedText.Encode("Skipped");
    private static readonly JsonEncodedText Pending = JsonEncodedText.Encode("Pending");
    private static readonly JsonEncodedText Running = JsonEncodedText.Encode("Running");
    private static readonly JsonEncodedText Succeeded = JsonEncodedText.Encode("Succeeded");
    private static readonly JsonEncodedText Cancelled = JsonEncodedText.Encode("Cancelled");
    private static readonly JsonEncodedText FailureIgnored = JsonEncodedText.Encode("FailureIgnored");
    private static readonly JsonEncodedText Failed = JsonEncodedText.Encode("Failed");
    private static readonly JsonEncodedText Reused = JsonEncodedText.Encode("Reused");

    /// <summary>
    /// One node. Its state: Skipped, Pending (no TaskRun yet), Running (one not finished), Succeeded
    /// (all succeeded), else Cancelled, FailureIgnored or Failed by the first such reason; Reused when
    /// every TaskRun was taken over from an earlier run. Its time: from the earliest start to the
    /// latest end (now while running). One pass over its TaskRuns (a matrix task has several).
    /// </summary>
    private static void WriteNode(Utf8JsonWriter writer, string name, bool isFinally, List<TaskRunView> runs, string? skipReason, DateTimeOffset now, out double seconds)
    {
        bool running = false, allSucceeded = true, cancelled = false, failureIgnored = false, allReused = runs.Count > 0;
        DateTimeOffset? start = null, end = null;
        TaskRunView? failed = null;
        string? firstOtherReason = null;
        var attempts = 0;
        foreach (var run in runs)
        {
            running |= run.Status is null or ConditionStatus.Unknown;
            allSucceeded &= run.Status == ConditionStatus.True;
            cancelled |= run.Reason == TaskRunReason.Cancelled;
            failureIgnored |= run.Reason == TaskRunReason.FailureIgnored;
            allReused &= run.ReusedFrom is not null;
            start = run.Start < start || start is null ? run.Start ?? start : start;
            end = run.End > end || end is null ? run.End ?? end : end;
            failed ??= run.Status == ConditionStatus.False ? run : null;
            firstOtherReason ??= run.Reason != "Succeeded" ? run.Reason : null;
            attempts = Math.Max(attempts, run.Attempts);
        }

        var state = skipReason is not null ? Skipped
            : runs.Count == 0 ? Pending
            : running ? Running
            : allSucceeded ? Succeeded
            : cancelled ? Cancelled
            : failureIgnored ? FailureIgnored
            : Failed;
        end = running ? null : end;
        var duration = start is { } s ? Math.Max(0, ((end ?? now) - s).TotalSeconds) : 0;
        // Taken over from an earlier run (a rerun from the failure): it cost this run nothing (its node still shows how long it took then).
        var reused = allReused && state.Equals(Succeeded);
        seconds = reused ? 0 : duration;

        writer.WriteStartObject();
        writer.WriteString(NameProperty, name);
        writer.WriteBoolean(FinallyProperty, isFinally);
        writer.WriteString(StateProperty, reused ? Reused : state);
        writer.WriteString(ReasonProperty, skipReason ?? (runs.Count == 1 ? runs[0].Reason : firstOtherReason ?? (runs.Count > 0 ? runs[0].Reason : null)));
        if ((failed ?? (runs.Count > 0 ? runs[0] : null))?.Message is { ValueKind: JsonValueKind.String } message)
        {
            writer.WritePropertyName(MessageProperty);
            message.WriteTo(writer);
        }
        else
        {
            writer.WriteNull(MessageProperty);
        }

        writer.WriteString(TaskRunProperty, runs.Count > 0 ? runs[0].Name : null);
        writer.WriteStartArray(TaskRunsProperty);
        foreach (var run in runs)
        {
            writer.WriteStringValue(run.Name);
        }

        writer.WriteEndArray();
        writer.WriteString(StartTimeProperty, start?.ToString("O", CultureInfo.InvariantCulture));
        writer.WriteString(CompletionTimeProperty, end?.ToString("O", CultureInfo.InvariantCulture));
        writer.WriteNumber(DurationProperty, Math.Round(duration, 3));
        writer.WriteString(SkipReasonProperty, skipReason);
        writer.WriteNumber(AttemptsProperty, attempts);
        writer.WriteNumber(MatrixProperty, runs.Count);
        if (reused)
        {
            writer.WriteStartObject(ReusedFromProperty);
            writer.WriteString(PipelineRunProperty, runs[0].ReusedFromPipelineRun);
            writer.WriteStartArray(TaskRunsProperty);
            foreach (var run in runs)
            {
                writer.WriteStringValue(run.ReusedFrom);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// The dependency chain with the largest sum of durations (<paramref name="seconds"/>, by node):
    /// ties go to the longer chain (tasks too short to measure), then to the first in topological order.
    /// </summary>
    private static ImmutableArray<string> CriticalPath(RunGraphShape.Layout parts, double[] seconds, ImmutableArray<RunGraphNode>.Builder nodes)
    {
        var order = parts.Order;
        if (order.Length == 0)
        {
            return [];
        }

        var total = new double[order.Length];
        var length = new int[order.Length];
        var via = new int[order.Length];
        var end = 0;
        for (var i = 0; i < order.Length; i++)
        {
            via[i] = -1;
            foreach (var p in parts.Parents[i])
            {
                if (via[i] < 0 || total[p] > total[via[i]] || (total[p] == total[via[i]] && length[p] > length[via[i]]))
                {
                    via[i] = p;
                }
            }

            (total[i], length[i]) = via[i] < 0 ? (seconds[order[i]], 1) : (total[via[i]] + seconds[order[i]], length[via[i]] + 1);
            if (total[i] > total[end] || (total[i] == total[end] && length[i] > length[end]))
            {
                end = i;
            }
        }

        var path = new List<string>();
        for (var at = end; at >= 0; at = via[at])
        {
            path.Add(nodes[order[at]].Name);
        }

        path.Reverse();
        return [.. path];
    }

    /// <summary>A property of an object; the undefined element (<c>default</c>) when <paramref name="element"/> is not an object or lacks it, so lookups chain.</summary>
    private static JsonElement Child(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) ? value : default;

    private static string? Text(JsonElement element, string property) =>
        Child(element, property) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    /// <summary>
    /// A time of the run object: ISO 8601 as the engine writes it, parsed by the reader without making
    /// a string; one without an offset is UTC; anything else as <see cref="DateTimeOffset.TryParse(string?, IFormatProvider?, DateTimeStyles, out DateTimeOffset)"/> reads it.
    /// </summary>
    private static DateTimeOffset? Time(JsonElement element, string property)
    {
        if (Child(element, property) is not { ValueKind: JsonValueKind.String } value)
        {
            return null;
        }

        if (value.TryGetDateTime(out var time))
        {
            return time.Kind switch
            {
                DateTimeKind.Utc => new DateTimeOffset(time),
                DateTimeKind.Unspecified => new DateTimeOffset(time, TimeSpan.Zero),
                // It had an offset: kept as written.
                _ => value.TryGetDateTimeOffset(out var withOffset) ? withOffset : null,
            };
        }

        return DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null;
    }
}
