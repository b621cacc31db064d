using System.Text.Json.Nodes;
using Mothership.Engine.Status;
using Mothership.Store;

namespace Mothership.Server.Runs;

/// <summary>The status rows a run's owner commits, and the stored identity (uid, creation time) on its run objects.</summary>
internal sealed class RunTransitions(RunRecord record, string owner, TimeProvider time)
{
    public RunTransition Of(RunPhase phase, string status, string reason, DateTimeOffset? completed, JsonObject? obj) => new()
    {
        Uid = record.Uid,
        Owner = owner,
        Phase = phase,
        Status = status,
        Reason = reason,
        StartedAt = record.StartedAt ?? time.GetUtcNow(),
        CompletedAt = completed,
        Object = obj?.ToJsonString(),
    };

    /// <summary>
    /// The server's own metadata on a run object: creation time and uid as stored, and the stored
    /// labels (a rerun's <c>mothership.io/rerun-of</c> and <c>rerun-from-failed</c> are not in its manifest).
    /// </summary>
    public JsonObject Decorate(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject m)
        {
            m["uid"] = record.Uid;
            m["creationTimestamp"] = RunObjectWriter.Time(record.CreatedAt);
            if (!record.Labels.IsEmpty)
            {
                if (m["labels"] is not JsonObject labels)
                {
                    m["labels"] = labels = [];
                }

                foreach (var (key, value) in record.Labels)
                {
                    labels[key] = value;
                }
            }
        }

        return obj;
    }
}
