using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Mothership.Store;

namespace Mothership.Server.Api;

/// <summary>
/// A run's logs: plain text (<c>[task/step] line</c>, as <c>mship run</c> prints them), or with
/// <c>follow=true</c> server-sent events that continue until the run finishes. Logs are read from
/// the store, so any replica serves any run's logs, live.
/// </summary>
internal static class LogEndpoints
{
    private static readonly TimeSpan FollowPoll = TimeSpan.FromMilliseconds(200);

    public static void Map(IEndpointRouteBuilder api) =>
        api.MapGet("/{kinds:regex(^(pipelineruns|taskruns)$)}/{name}/logs", LogsAsync);

    private static async Task LogsAsync(string kinds, string name, string? task, string? step, bool? follow, HttpContext context,
        IRunStore store, TimeProvider time, CancellationToken ct)
    {
        var kind = ApiContext.RunKind(kinds)!;
        var run = await store.GetRunAsync(kind, name, ct).ConfigureAwait(false);
        if (run is null)
        {
            await Problems.NotFound($"{kind} '{name}'").ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        var sse = follow == true || context.Request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.Ordinal);
        var response = context.Response;
        response.ContentType = sse ? "text/event-stream" : "text/plain; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        long after = long.TryParse(context.Request.Headers["Last-Event-ID"].ToString(), out var last) ? last : 0;
        var tasks = TaskNames(run);
        var container = step is null ? null : "step-" + step;
        while (true)
        {
            var chunks = await store.ReadLogsAsync(new LogQuery { Uid = run.Uid, AfterId = after, Container = container }, ct).ConfigureAwait(false);
            if (chunks.Any(c => !tasks.ContainsKey(c.Chunk.TaskRun)))
            {
                run = await store.GetRunByUidAsync(run.Uid, ct).ConfigureAwait(false) ?? run;
                tasks = TaskNames(run);
            }

            var text = new StringBuilder();
            foreach (var (id, chunk) in chunks)
            {
                after = id;
                var pipelineTask = tasks.GetValueOrDefault(chunk.TaskRun, chunk.TaskRun);
                if (task is not null && pipelineTask != task)
                {
                    continue;
                }

                var stepName = chunk.Container.StartsWith("step-", StringComparison.Ordinal) ? chunk.Container[5..] : chunk.Container;
                var prefix = kind == "TaskRun" ? $"[{stepName}] " : $"[{pipelineTask}/{stepName}] ";
                var lines = chunk.Text.Split('\n');
                if (sse)
                {
                    var data = new JsonObject
                    {
                        ["taskRun"] = chunk.TaskRun,
                        ["pipelineTask"] = kind == "TaskRun" ? null : pipelineTask,
                        ["step"] = stepName,
                        ["attempt"] = chunk.Attempt,
                        ["firstLine"] = chunk.FirstLine,
                        ["lines"] = new JsonArray([.. lines[..^1].Select(l => (JsonNode)JsonValue.Create(l))]),
                    };
                    text.Append("id: ").Append(id).Append("\nevent: log\ndata: ").Append(data.ToJsonString()).Append("\n\n");
                }
                else
                {
                    foreach (var line in lines[..^1])
                    {
                        text.Append(prefix).Append(line).Append('\n');
                    }
                }
            }

            if (text.Length > 0)
            {
                await response.WriteAsync(text.ToString(), ct).ConfigureAwait(false);
                await response.Body.FlushAsync(ct).ConfigureAwait(false);
            }

            if (chunks.Count >= 1000)
            {
                continue;
            }

            if (!sse)
            {
                return;
            }

            if (run.Phase == RunPhase.Finished)
            {
                var end = new JsonObject { ["status"] = run.Status, ["reason"] = run.Reason };
                await response.WriteAsync($"event: end\ndata: {end.ToJsonString()}\n\n", ct).ConfigureAwait(false);
                return;
            }

            await Task.Delay(FollowPoll, time, ct).ConfigureAwait(false);
            // Read the phase before the next logs: a run seen finished has all its lines stored.
            run = await store.GetRunByUidAsync(run.Uid, ct).ConfigureAwait(false) ?? run with { Phase = RunPhase.Finished };
        }
    }

    /// <summary>TaskRun name → pipeline task name, from the run object's child references.</summary>
    private static Dictionary<string, string> TaskNames(RunRecord run)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (run.Object is { } text && JsonNode.Parse(text)?["status"]?["childReferences"] is JsonArray children)
        {
            foreach (var c in children.OfType<JsonObject>())
            {
                if ((string?)c["name"] is { } n && (string?)c["pipelineTaskName"] is { } p)
                {
                    map[n] = p;
                }
            }
        }

        return map;
    }
}
