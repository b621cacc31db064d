using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mothership.Engine.Execution;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Journal;

/// <summary>
/// Journal records as JSON. Written by hand over <see cref="JsonNode"/> rather than with
/// reflection-based serialization: <see cref="ParamValue"/> and the outcome records have private
/// constructors and immutable collections, and a replay must read back byte for byte what was
/// written (results are compared exactly), which explicit code makes obvious.
/// </summary>
public static class JournalCodec
{
    public static string Serialize(JournalRecord record)
    {
        var node = record switch
        {
            DecisionRecord d => new JsonObject
            {
                ["now"] = Time(d.Now),
                ["events"] = new JsonArray([.. d.Events.Select(Event)]),
            },
            StepRecord s => new JsonObject
            {
                ["step"] = Step(s.Step),
                ["taskRunUid"] = s.TaskRunUid,
                ["retry"] = s.RetryCount,
            },
            _ => throw new ArgumentException($"unknown journal record {record.GetType().Name}", nameof(record)),
        };
        return node.ToJsonString();
    }

    /// <summary>Reads a record back; throws <see cref="FormatException"/> on a damaged entry.</summary>
    public static JournalRecord Deserialize(string json)
    {
        try
        {
            var o = JsonNode.Parse(json)!.AsObject();
            if (o["step"] is JsonObject step)
            {
                return new StepRecord(Str(o, "taskRunUid"), (int)o["retry"]!, ReadStep(step));
            }

            return new DecisionRecord(ReadTime(o["now"])!.Value, [.. o["events"]!.AsArray().Select(e => ReadEvent(e!.AsObject()))]);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException or KeyNotFoundException)
        {
            throw new FormatException($"damaged journal entry: {e.Message}", e);
        }
    }

    private static JsonNode Event(JournalEvent e) => e switch
    {
        AttemptEnded a => new JsonObject
        {
            ["type"] = "attemptEnded",
            ["task"] = a.PipelineTask,
            ["child"] = a.ChildIndex,
            ["outcome"] = Outcome(a.Outcome),
        },
        TaskRunAttemptEnded t => new JsonObject
        {
            ["type"] = "taskRunAttemptEnded",
            ["retry"] = t.RetryCount,
            ["outcome"] = Outcome(t.Outcome),
        },
        CancelRequested c => new JsonObject { ["type"] = "cancel", ["request"] = c.Request },
        _ => throw new ArgumentException($"unknown journal event {e.GetType().Name}", nameof(e)),
    };

    private static JournalEvent ReadEvent(JsonObject o) => Str(o, "type") switch
    {
        // Journals written before TaskRunAttemptEnded existed recorded a standalone TaskRun's attempt
        // as an attemptEnded of the pipeline task "" with its retry count as the child index.
        "attemptEnded" when Str(o, "task").Length == 0 => new TaskRunAttemptEnded((int)o["child"]!, ReadOutcome(o["outcome"]!.AsObject())),
        "attemptEnded" => new AttemptEnded(Str(o, "task"), (int)o["child"]!, ReadOutcome(o["outcome"]!.AsObject())),
        "taskRunAttemptEnded" => new TaskRunAttemptEnded((int)o["retry"]!, ReadOutcome(o["outcome"]!.AsObject())),
        "cancel" => new CancelRequested(Str(o, "request")),
        var t => throw new JsonException($"unknown event type '{t}'"),
    };

    public static JsonObject Outcome(TaskRunOutcome o) => new()
    {
        ["phase"] = o.Phase.ToString(),
        ["message"] = o.Message,
        ["start"] = Time(o.StartTime),
        ["end"] = Time(o.CompletionTime),
        ["steps"] = new JsonArray([.. o.Steps.Select(Step)]),
        ["sidecars"] = new JsonArray([.. o.Sidecars.Select(Step)]),
        ["results"] = Results(o.Results),
    };

    public static TaskRunOutcome ReadOutcome(JsonObject o) => new()
    {
        Phase = Enum.Parse<TaskRunPhase>(Str(o, "phase")),
        Message = Str(o, "message"),
        StartTime = ReadTime(o["start"])!.Value,
        CompletionTime = ReadTime(o["end"])!.Value,
        Steps = [.. o["steps"]!.AsArray().Select(s => ReadStep(s!.AsObject()))],
        Sidecars = [.. o["sidecars"]!.AsArray().Select(s => ReadStep(s!.AsObject()))],
        Results = ReadResults(o["results"]!.AsArray()),
    };

    public static JsonObject Step(StepState s) => new()
    {
        ["name"] = s.Name,
        ["container"] = s.Container,
        ["image"] = s.Image,
        ["startedAt"] = Time(s.StartedAt),
        ["finishedAt"] = Time(s.FinishedAt),
        ["exitCode"] = s.ExitCode,
        ["reason"] = s.Reason,
        ["terminationReason"] = s.TerminationReason,
        ["results"] = Results(s.Results),
    };

    public static StepState ReadStep(JsonObject o) => new()
    {
        Name = Str(o, "name"),
        Container = Str(o, "container"),
        Image = (string?)o["image"],
        StartedAt = ReadTime(o["startedAt"]),
        FinishedAt = ReadTime(o["finishedAt"]),
        ExitCode = (int?)o["exitCode"],
        Reason = (string?)o["reason"],
        TerminationReason = (string?)o["terminationReason"],
        Results = ReadResults(o["results"]!.AsArray()),
    };

    private static JsonArray Results(ImmutableArray<RunResult> results) =>
        new([.. results.Select(r => (JsonNode)new JsonObject { ["name"] = r.Name, ["value"] = Value(r.Value) })]);

    private static ImmutableArray<RunResult> ReadResults(JsonArray a) =>
        [.. a.Select(r => new RunResult(Str(r!.AsObject(), "name"), ReadValue(r!["value"]!)))];

    /// <summary>A result or param value as JSON: a string, an array or an object.</summary>
    public static JsonNode Value(ParamValue v) => v.Type switch
    {
        ParamType.String => JsonValue.Create(v.StringValue!),
        ParamType.Array => new JsonArray([.. v.ArrayValue.Select(x => (JsonNode)JsonValue.Create(x))]),
        _ => new JsonObject(v.ObjectValue!.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))),
    };

    /// <summary>Reads back what <see cref="Value"/> wrote.</summary>
    public static ParamValue ReadValue(JsonNode n) => n switch
    {
        JsonArray a => ParamValue.Of(a.Select(x => (string)x!)),
        JsonObject o => ParamValue.Of(o.Select(kv => KeyValuePair.Create(kv.Key, (string)kv.Value!))),
        _ => ParamValue.Of((string)n!),
    };

    // Round-trip format with the offset: replayed deadlines must compare exactly as they did.
    private static string? Time(DateTimeOffset? t) => t?.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset? ReadTime(JsonNode? n) =>
        n is null ? null : DateTimeOffset.ParseExact((string)n!, "O", CultureInfo.InvariantCulture, DateTimeStyles.None);

    private static string Str(JsonObject o, string name) => (string?)o[name] ?? throw new JsonException($"missing '{name}'");
}
