using System.Text.Json.Nodes;
using Mothership.Engine.Status;
using Mothership.Model.Tekton;
using Mothership.Model.Tekton.Vocabulary;
using Mothership.Store;

namespace Mothership.Server.Runs;

/// <summary>Run objects (Tekton's shape) for runs the engine has not started, and summaries for lists.</summary>
internal static class RunObjects
{
    /// <summary>A pending or queued run: its spec as submitted and an Unknown condition.</summary>
    public static JsonObject NotStarted(RunRecord record, Resource run)
    {
        var spec = run switch
        {
            PipelineRun pr => SpecJson.ToNode(pr.Spec),
            TaskRun tr => SpecJson.ToNode(tr.Spec),
            _ => null,
        };
        var metadata = new JsonObject
        {
            ["name"] = record.Name,
            ["namespace"] = run.Metadata.Namespace ?? "default",
            ["uid"] = record.Uid,
            ["creationTimestamp"] = RunObjectWriter.Time(record.CreatedAt),
        };
        if (!record.Labels.IsEmpty)
        {
            metadata["labels"] = SpecJson.ToNode(record.Labels);
        }

        var message = record.Reason switch
        {
            SpecStatus.PipelineRunPending or SpecStatus.TaskRunPending => $"{record.Kind} \"{record.Name}\" is pending",
            PipelineRunReason.Queued => $"{record.Kind} \"{record.Name}\" is waiting for a server",
            _ => "",
        };
        return new JsonObject
        {
            ["apiVersion"] = TektonLabels.ApiVersion,
            ["kind"] = record.Kind,
            ["metadata"] = metadata,
            ["spec"] = spec,
            ["status"] = new JsonObject
            {
                ["conditions"] = new JsonArray(new JsonObject
                {
                    ["type"] = "Succeeded",
                    ["status"] = "Unknown",
                    ["reason"] = record.Reason,
                    ["message"] = message,
                    ["lastTransitionTime"] = RunObjectWriter.Time(record.CreatedAt),
                }),
            },
        };
    }

    /// <summary>The JSON of one row of a run list.</summary>
    public static JsonObject Summary(RunSummary r)
    {
        var o = new JsonObject
        {
            ["kind"] = r.Kind,
            ["name"] = r.Name,
            ["uid"] = r.Uid,
            ["pipeline"] = r.Pipeline,
            ["phase"] = r.Phase.ToString(),
            ["status"] = r.Status,
            ["reason"] = r.Reason,
            ["creationTimestamp"] = RunObjectWriter.Time(r.CreatedAt),
            ["startTime"] = r.StartedAt is { } s ? RunObjectWriter.Time(s) : null,
            ["completionTime"] = r.CompletedAt is { } c ? RunObjectWriter.Time(c) : null,
        };
        if (!r.Labels.IsEmpty)
        {
            o["labels"] = SpecJson.ToNode(r.Labels);
        }

        return o;
    }
}
