using System.Text.Json.Nodes;
using Mothership.Ci.Reporting;
using Mothership.Engine.Execution;
using Mothership.Engine.Status;
using Mothership.Model.Tekton.Vocabulary;
using Mothership.Server.Runs;
using Mothership.Store;

namespace Mothership.Server.Ci;

/// <summary>
/// The failed step of a CI job's run and the end of its log, from the store: the step is read
/// off the run object (a TaskRun's <c>status.steps</c>, a PipelineRun's <c>status.taskRuns</c>),
/// its lines from the log store (the last attempt's). Executors mask secrets before lines are
/// stored; the lines are masked again with the run's own masker (its Secrets and secret params),
/// as the API masks what it serves, so a snippet never shows more than the dashboard does.
/// </summary>
internal sealed class ServerJobLogs(IRunStore store) : IJobLogs
{
    private const int PageSize = 1000;

    public async Task<FailedStepLog?> FailedStepAsync(string uid, int maxLines, CancellationToken cancellationToken)
    {
        var run = await store.GetRunByUidAsync(uid, cancellationToken).ConfigureAwait(false);
        if (run?.Object is not { } text || JsonNode.Parse(text) is not JsonObject runObject || FailedStep(run.Kind, run.Name, runObject) is not { } failed)
        {
            return null;
        }

        var lines = new Queue<string>();
        var attempt = -1;
        long after = 0;
        while (true)
        {
            var chunks = await store.ReadLogsAsync(new LogQuery
            {
                Uid = uid, TaskRun = run.Kind == "TaskRun" ? null : failed.TaskRun, Container = failed.Container, AfterId = after, Limit = PageSize,
            }, cancellationToken).ConfigureAwait(false);
            foreach (var (id, chunk) in chunks)
            {
                after = id;
                if (chunk.Attempt < attempt)
                {
                    continue;
                }

                if (chunk.Attempt > attempt)
                {
                    // A retry's log replaces the failed attempts' before it.
                    lines.Clear();
                    attempt = chunk.Attempt;
                }

                foreach (var line in chunk.Text.Split('\n')[..^1])
                {
                    lines.Enqueue(line);
                    if (lines.Count > maxLines)
                    {
                        lines.Dequeue();
                    }
                }
            }

            if (chunks.Count < PageSize)
            {
                break;
            }
        }

        var masker = Masker(run);
        return new FailedStepLog(failed.Task, failed.Step, failed.ExitCode, [.. lines.Select(l => masker?.Mask(l) ?? l)]);
    }

    /// <summary>
    /// The first step that failed: a step that exited non-zero, else the first step of a failed
    /// TaskRun that did not end by itself (timed out, cancelled). Null when none did.
    /// </summary>
    internal static (string Task, string TaskRun, string Step, string Container, int? ExitCode)? FailedStep(string kind, string name, JsonObject runObject)
    {
        IEnumerable<(string Task, string TaskRun, JsonObject? Status)> taskRuns = kind == "TaskRun"
            ? [(name, name, runObject["status"] as JsonObject)]
            : (runObject["status"]?["taskRuns"] as JsonObject ?? [])
                .Select(kv => ((string?)kv.Value?["pipelineTaskName"] ?? kv.Key, kv.Key, kv.Value?["status"] as JsonObject));
        foreach (var (task, taskRun, status) in taskRuns)
        {
            if ((string?)status?["conditions"]?[0]?["status"] != ConditionStatus.False || status!["steps"] is not JsonArray steps)
            {
                continue;
            }

            var entries = steps.OfType<JsonObject>().Select(s => (
                Name: (string?)s["name"] ?? "",
                Container: (string?)s["container"] ?? ContainerNames.Step((string?)s["name"] ?? ""),
                Exit: s["terminated"]?["exitCode"] is JsonValue v && v.TryGetValue<int>(out var code) ? code : (int?)null)).ToList();
            var step = entries.FirstOrDefault(s => s.Exit is not (null or 0));
            if (step.Name is null)
            {
                step = entries.FirstOrDefault(s => s.Exit is null);
            }

            if (step.Name is not null)
            {
                return (task, taskRun, step.Name, step.Container, step.Exit);
            }
        }

        return null;
    }

    /// <summary>The run's masker; null when its manifest holds no run (the loader reports problems as diagnostics, not exceptions).</summary>
    private static SecretMasker? Masker(RunRecord run)
    {
        var manifest = RunManifest.Load(run);
        return manifest.Run is null ? null : RunSecrets.Masker(manifest.Resources, manifest.Run);
    }
}
