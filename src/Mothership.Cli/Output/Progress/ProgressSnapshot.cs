using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mothership.Model.Tekton.Vocabulary;
using Mothership.Model.Validation;

namespace Mothership.Cli.Output.Progress;

/// <summary>
/// A PipelineRun as the progress view sees it at one moment: its tasks (from the run's graph, the
/// same the dashboard draws), their estimates, and whether the run has ended. Made by
/// <see cref="From"/> from the run object and its graph, whether they come from the local engine or
/// from the server's API, so both draw the same view.
/// </summary>
internal sealed record ProgressSnapshot
{
    public required string RunName { get; init; }

    public ImmutableArray<ProgressTask> Tasks { get; init; } = [];

    public DateTimeOffset? StartTime { get; init; }

    /// <summary>The run's condition status: <c>Unknown</c> while it runs, then <c>True</c> or <c>False</c>.</summary>
    public string Status { get; init; } = ConditionStatus.Unknown;

    /// <summary>The run's reason (<c>Running</c>, <c>Succeeded</c>, <c>Failed</c>, …).</summary>
    public string? Reason { get; init; }

    public bool Finished => Status != ConditionStatus.Unknown;

    /// <summary>
    /// The snapshot of <paramref name="runObject"/> (Tekton's PipelineRun object) and
    /// <paramref name="graph"/> (<c>RunGraph.Build</c>'s nodes and edges, as served by
    /// <c>GET /api/v1/pipelineruns/{name}/graph</c>).
    /// </summary>
    public static ProgressSnapshot From(JsonObject runObject, JsonObject graph)
    {
        var estimates = Estimates(runObject["metadata"]?["annotations"]?[MothershipLabels.EstimatedDurations] is JsonValue v && v.TryGetValue<string>(out var text) ? text : null);
        var parents = (graph["edges"] as JsonArray ?? []).OfType<JsonObject>()
            .GroupBy(e => (string?)e["to"] ?? "", StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(e => (string?)e["from"]).OfType<string>().Distinct(StringComparer.Ordinal).ToImmutableArray(), StringComparer.Ordinal);
        var tasks = (graph["nodes"] as JsonArray ?? []).OfType<JsonObject>().Select(n =>
        {
            var name = (string?)n["name"] ?? "";
            return new ProgressTask
            {
                Name = name,
                IsFinally = n["finally"] is JsonValue f && f.TryGetValue<bool>(out var isFinally) && isFinally,
                State = State((string?)n["state"], (string?)n["reason"]),
                Reason = (string?)n["skipReason"] ?? (string?)n["reason"],
                StartTime = Time(n["startTime"]),
                CompletionTime = Time(n["completionTime"]),
                Parents = parents.GetValueOrDefault(name, []),
                Estimate = estimates.TryGetValue(name, out var e) ? e : null,
            };
        }).ToImmutableArray();
        var condition = runObject["status"]?["conditions"]?[0];
        return new ProgressSnapshot
        {
            RunName = (string?)runObject["metadata"]?["name"] ?? "",
            Tasks = tasks,
            StartTime = Time(runObject["status"]?["startTime"]),
            Status = (string?)condition?["status"] ?? ConditionStatus.Unknown,
            Reason = (string?)condition?["reason"],
        };
    }

    /// <summary>The annotation's estimates; an unreadable annotation or entry counts as none (the view then says so).</summary>
    public static IReadOnlyDictionary<string, TimeSpan> Estimates(string? annotation)
    {
        var result = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(annotation))
        {
            return result;
        }

        try
        {
            if (JsonNode.Parse(annotation) is JsonObject map)
            {
                foreach (var (task, value) in map)
                {
                    if (value is JsonValue s && s.TryGetValue<string>(out var text) && GoDuration.TryParse(text, out var d) && d >= TimeSpan.Zero)
                    {
                        result[task] = d;
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Someone else's annotation: the view shows elapsed time only ("no estimates").
        }

        return result;
    }

    /// <summary>The graph's node states (<c>RunGraph</c>) as the view's; a TaskRun created but not yet running is waiting.</summary>
    private static ProgressTaskState State(string? state, string? reason) => state switch
    {
        "Running" when reason == TaskRunReason.Pending => ProgressTaskState.Waiting,
        "Running" => ProgressTaskState.Running,
        "Succeeded" => ProgressTaskState.Succeeded,
        "Skipped" => ProgressTaskState.Skipped,
        "Failed" or "Cancelled" or "FailureIgnored" => ProgressTaskState.Failed,
        _ => ProgressTaskState.Waiting,
    };

    private static DateTimeOffset? Time(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
}
