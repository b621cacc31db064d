using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mothership.Engine.Journal;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Reuse;

/// <summary>
/// The reused tasks of a rerun from the failure (<see cref="TaskReuse"/>) as one document of the
/// run's manifest, a ConfigMap beside the frozen definitions: stored with the run when it is
/// created, so a server that restarts mid-run prepares the same run and its journal replays to the
/// same state, and the earlier run may be deleted meanwhile.
/// </summary>
public static class ReuseDocument
{
    /// <summary>The ConfigMap's name; a submitted run may not bring one of that name.</summary>
    public const string Name = "mothership-reused-tasks";

    /// <summary>The ConfigMap's annotation naming the PipelineRun rerun from its failure.</summary>
    public const string FromAnnotation = "mothership.io/rerun-from-failed";

    private const string Key = "tasks";

    /// <summary>What starts the document in a manifest: always the last document, written by <see cref="Append"/>.</summary>
    private static readonly string Start = $"---\n{{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{{\"name\":\"{Name}\"";

    /// <summary><paramref name="manifest"/> with the document of <paramref name="tasks"/> last, any earlier one replaced.</summary>
    public static string Append(string manifest, string fromRun, IEnumerable<ReusedTask> tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var document = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = Name, ["annotations"] = new JsonObject { [FromAnnotation] = fromRun } },
            ["data"] = new JsonObject { [Key] = new JsonArray([.. tasks.Select(Task)]).ToJsonString() },
        };
        return Strip(manifest) + "---\n" + document.ToJsonString() + "\n";
    }

    /// <summary><paramref name="manifest"/> without the document: a plain rerun runs every task.</summary>
    public static string Strip(string manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var at = manifest.StartsWith(Start, StringComparison.Ordinal) ? 0 : manifest.LastIndexOf("\n" + Start, StringComparison.Ordinal) is var i and >= 0 ? i + 1 : -1;
        return at < 0 ? manifest : manifest[..at];
    }

    /// <summary>True for the document among a run's resources (to refuse it in a submitted body).</summary>
    public static bool Is(Resource resource) => resource is DataObject { IsSecret: false } d && d.Metadata.Name == Name;

    /// <summary>The reused tasks held by <paramref name="resources"/> (empty without the document), and the resources without it.</summary>
    public static (ImmutableDictionary<string, ReusedTask> Tasks, ResourceSet Others) Split(ResourceSet resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var document = resources.All.FirstOrDefault(Is) as DataObject;
        if (document is null)
        {
            return (ImmutableDictionary<string, ReusedTask>.Empty, resources);
        }

        var tasks = ImmutableDictionary.CreateBuilder<string, ReusedTask>(StringComparer.Ordinal);
        try
        {
            foreach (var node in JsonNode.Parse(document.Data.GetValueOrDefault(Key, "[]"))!.AsArray())
            {
                var task = ReadTask(node!.AsObject());
                tasks[task.PipelineTask] = task;
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException or FormatException or KeyNotFoundException)
        {
            throw new FormatException($"the manifest's {Name} ConfigMap is damaged: {e.Message}", e);
        }

        return (tasks.ToImmutable(), resources with { All = resources.All.Remove(document) });
    }

    private static JsonNode Task(ReusedTask t) => new JsonObject
    {
        ["pipelineTask"] = t.PipelineTask,
        ["taskRuns"] = new JsonArray([.. t.TaskRuns.Select(r => (JsonNode)new JsonObject
        {
            ["pipelineRun"] = r.PipelineRun,
            ["taskRun"] = r.TaskRun,
            ["matrixParams"] = new JsonArray([.. r.MatrixParams.Select(p => (JsonNode)new JsonObject
            {
                ["name"] = p.Name, ["value"] = JournalCodec.Value(p.Value),
            })]),
            ["attempts"] = new JsonArray([.. r.Attempts.Select(a => (JsonNode)JournalCodec.Outcome(a))]),
        })]),
    };

    private static ReusedTask ReadTask(JsonObject o) => new()
    {
        PipelineTask = (string)o["pipelineTask"]!,
        TaskRuns = [.. o["taskRuns"]!.AsArray().Select(n => n!.AsObject()).Select(r => new ReusedTaskRun
        {
            PipelineRun = (string)r["pipelineRun"]!,
            TaskRun = (string)r["taskRun"]!,
            MatrixParams = [.. r["matrixParams"]!.AsArray().Select(p => new Param { Name = (string)p!["name"]!, Value = JournalCodec.ReadValue(p["value"]!) })],
            Attempts = [.. r["attempts"]!.AsArray().Select(a => JournalCodec.ReadOutcome(a!.AsObject()))],
        })],
    };
}
