using System.Globalization;
using System.Text.Json.Nodes;
using Mothership.Engine.Execution;
using Mothership.Engine.Reuse;
using Mothership.Engine.Running;
using Mothership.Engine.Scheduling;
using Mothership.Model.Tekton;
using Mothership.Model.Tekton.Vocabulary;
using Mothership.Model.Validation;

namespace Mothership.Engine.Status;

/// <summary>
/// Writes runs in Tekton's own object shape (ARCHITECTURE.md, "The run object"), so a Tekton
/// user reads <c>mship run -o json</c> and the API without a manual.
/// </summary>
public static class RunObjectWriter
{
    /// <summary>Kubernetes' timestamp format (RFC 3339, UTC, whole seconds), as in every run object.</summary>
    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static JsonObject Metadata(Resource r, string name, string uid, DateTimeOffset created)
    {
        var m = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = r.Metadata.Namespace ?? "default",
            ["uid"] = uid,
            ["creationTimestamp"] = Time(created),
        };
        if (!r.Metadata.Labels.IsEmpty)
        {
            m["labels"] = SpecJson.ToNode(r.Metadata.Labels);
        }

        if (!r.Metadata.Annotations.IsEmpty)
        {
            m["annotations"] = SpecJson.ToNode(r.Metadata.Annotations);
        }

        return m;
    }

    // JsonArray's non-generic Add(JsonNode) throughout: the generic Add<T> is not trimming-safe (the native CLI).
    private static JsonArray Condition(string status, string reason, string message, DateTimeOffset at) =>
    [
        (JsonNode)new JsonObject
        {
            ["type"] = ConditionStatus.Succeeded,
            ["status"] = status,
            ["reason"] = reason,
            ["message"] = message,
            ["lastTransitionTime"] = Time(at),
        },
    ];

    private static JsonArray Results(IEnumerable<RunResult> results) =>
        [.. results.Select(r => (JsonNode)new JsonObject { ["name"] = r.Name, ["type"] = r.Value.Type.ToString().ToLowerInvariant(), ["value"] = SpecJson.ToNode(r.Value) })];

    /// <summary>
    /// The PipelineRun object for a state, running or finished; with <paramref name="live"/>, the
    /// TaskRuns executing now show their steps as their executors last reported them.
    /// </summary>
    public static JsonObject PipelineRun(PipelineRunState s, LiveAttempts? live = null)
    {
        var spec = SpecJson.ToNode(s.Run.Spec)!.AsObject();
        // Tekton v1 nests these under taskRunTemplate; the model keeps them flat.
        var template = TaskRunTemplate(spec);
        if (template.Count > 0)
        {
            spec["taskRunTemplate"] = template;
        }

        if (!spec.ContainsKey("timeouts"))
        {
            spec["timeouts"] = new JsonObject { ["pipeline"] = GoDuration.Format(Timeouts.Default) };
        }

        var status = new JsonObject { ["startTime"] = Time(s.StartTime) };
        if (s.Completion is { } c)
        {
            status["completionTime"] = Time(c.Time);
            status["conditions"] = Condition(c.Status, c.Reason, c.Message, c.Time);
        }
        else
        {
            var done = s.Tasks.Values.Count(t => t.Done);
            status["conditions"] = Condition(ConditionStatus.Unknown, PipelineRunReason.Running, $"Tasks Completed: {done}, Incomplete: {s.Tasks.Count - done}", s.StartTime);
        }

        status["pipelineSpec"] = SpecJson.ToNode(s.Spec);
        if (!s.Results.IsEmpty)
        {
            status["results"] = Results(s.Results);
        }

        var skipped = s.Spec.Tasks.Concat(s.Spec.Finally).Select(t => s.Tasks[t.Name]).Where(t => t.Skip is not null).ToList();
        if (skipped.Count > 0)
        {
            status["skippedTasks"] = new JsonArray([.. skipped.Select(t =>
            {
                var o = new JsonObject { ["name"] = t.Name, ["reason"] = t.Skip!.Reason };
                if (!t.Skip.WhenExpressions.IsEmpty)
                {
                    o["whenExpressions"] = SpecJson.ToNode(t.Skip.WhenExpressions);
                }

                return (JsonNode)o;
            })]);
        }

        var children = new JsonArray();
        var taskRuns = new JsonObject();
        foreach (var t in s.Spec.Tasks.Concat(s.Spec.Finally).Select(t => s.Tasks[t.Name]))
        {
            foreach (var child in t.Runs)
            {
                var reference = new JsonObject
                {
                    ["apiVersion"] = TektonLabels.ApiVersion,
                    ["kind"] = "TaskRun",
                    ["name"] = child.TaskRunName,
                    ["pipelineTaskName"] = t.Name,
                };
                if (t.Task.DisplayName is { } display)
                {
                    reference["displayName"] = display;
                }

                children.Add((JsonNode)reference);
                // A first attempt that is executing reads Running, as Tekton's TaskRun does once its pod runs.
                var taskRunStatus = child.Attempts.IsEmpty
                    ? new JsonObject
                    {
                        ["conditions"] = child.Running
                            ? Condition(ConditionStatus.Unknown, TaskRunReason.Running, AttemptMessages.StepsRunning, s.StartTime)
                            : Condition(ConditionStatus.Unknown, TaskRunReason.Pending, TaskRunReason.Pending, s.StartTime),
                    }
                    : TaskRunStatus(child.Attempts, child.Running, t.Task.OnError == "continue", child.ReusedFrom?.TaskRun ?? child.TaskRunName);
                if (child.Running && live?.Steps(child.TaskRunName) is { } steps)
                {
                    taskRunStatus["steps"] = new JsonArray([.. steps.Select(x => (JsonNode)Step(x))]);
                }

                var entry = new JsonObject { ["pipelineTaskName"] = t.Name, ["status"] = taskRunStatus };
                if (child.ReusedFrom is { } from)
                {
                    // Not run here: the TaskRun it was taken over from says where it ran (and where its logs are).
                    var annotations = new JsonObject
                    {
                        [MothershipLabels.ReusedFrom] = from.TaskRun,
                        [MothershipLabels.ReusedFromPipelineRun] = from.PipelineRun,
                    };
                    entry["metadata"] = new JsonObject { ["annotations"] = annotations };
                    if (taskRunStatus["conditions"]?[0] is JsonObject condition)
                    {
                        condition["message"] = TaskReuse.Message(from);
                    }
                }

                taskRuns[child.TaskRunName] = entry;
            }
        }

        if (children.Count > 0)
        {
            status["childReferences"] = children;
            status["taskRuns"] = taskRuns;
        }

        return new JsonObject
        {
            ["apiVersion"] = TektonLabels.ApiVersion,
            ["kind"] = "PipelineRun",
            ["metadata"] = Metadata(s.Run, s.Name, s.Uid, s.StartTime),
            ["spec"] = spec,
            ["status"] = status,
        };
    }

    /// <summary>Moves <c>serviceAccountName</c> and the pod template's volumes into a <c>taskRunTemplate</c> object.</summary>
    private static JsonObject TaskRunTemplate(JsonObject spec)
    {
        var template = new JsonObject();
        foreach (var field in (string[])["serviceAccountName", "podTemplate"])
        {
            if (spec.Remove(field, out var value))
            {
                template[field] = value;
            }
        }

        return template;
    }

    /// <summary>The TaskRun object of a standalone run.</summary>
    public static JsonObject TaskRun(TaskRunResult r)
    {
        var name = r.Run.Metadata.Name ?? "taskrun";
        var start = r.Attempts.IsEmpty ? default : r.Attempts[0].StartTime;
        var status = r.Attempts.IsEmpty
            ? new JsonObject { ["conditions"] = Condition(ConditionStatus.False, TaskRunReason.Cancelled, AttemptMessages.Cancelled(name), start) }
            : TaskRunStatus(r.Attempts, running: false, failureIgnored: false, name);
        status["taskSpec"] = SpecJson.ToNode(r.Spec);
        var spec = SpecJson.ToNode(r.Run.Spec)!.AsObject();
        if (!spec.ContainsKey("timeout"))
        {
            spec["timeout"] = GoDuration.Format(Timeouts.Default);
        }

        return new JsonObject
        {
            ["apiVersion"] = TektonLabels.ApiVersion,
            ["kind"] = "TaskRun",
            ["metadata"] = Metadata(r.Run, name, r.Uid, start),
            ["spec"] = spec,
            ["status"] = status,
        };
    }

    /// <summary>A TaskRun's status: the last attempt, earlier ones in <c>retriesStatus</c>.</summary>
    public static JsonObject TaskRunStatus(IReadOnlyList<TaskRunOutcome> attempts, bool running, bool failureIgnored, string name)
    {
        var last = attempts[^1];
        var status = AttemptStatus(last, name, failureIgnored);
        if (running)
        {
            status["conditions"] = Condition(ConditionStatus.Unknown, TaskRunReason.Running, AttemptMessages.StepsRunning, last.CompletionTime);
        }

        if (attempts.Count > 1)
        {
            status["retriesStatus"] = new JsonArray([.. attempts.Take(attempts.Count - 1).Select(a => (JsonNode)AttemptStatus(a, name, false))]);
        }

        return status;
    }

    private static JsonObject AttemptStatus(TaskRunOutcome o, string name, bool failureIgnored)
    {
        var reason = failureIgnored && o.Phase != TaskRunPhase.Succeeded ? TaskRunReason.FailureIgnored : TaskRunReasons.Of(o);
        var message = o.Phase == TaskRunPhase.Succeeded ? AttemptMessages.AllStepsCompleted : o.Message;
        var status = new JsonObject
        {
            ["conditions"] = Condition(o.Phase == TaskRunPhase.Succeeded ? ConditionStatus.True : ConditionStatus.False, reason, message, o.CompletionTime),
            ["podName"] = $"{name}-pod",
            ["startTime"] = Time(o.StartTime),
            ["completionTime"] = Time(o.CompletionTime),
        };
        if (!o.Results.IsEmpty)
        {
            status["results"] = Results(o.Results);
        }

        status["steps"] = new JsonArray([.. o.Steps.Select(s => (JsonNode)Step(s))]);
        if (!o.Sidecars.IsEmpty)
        {
            status["sidecars"] = new JsonArray([.. o.Sidecars.Select(s => (JsonNode)Step(s))]);
        }

        return status;
    }

    /// <summary>A step's (or sidecar's) entry of <c>status.steps</c>: terminated, running or waiting.</summary>
    public static JsonObject Step(StepState s)
    {
        var o = new JsonObject { ["name"] = s.Name, ["container"] = s.Container };
        if (s.Image is not null)
        {
            o["image"] = s.Image;
        }

        if (s.ExitCode is { } code)
        {
            var terminated = new JsonObject { ["exitCode"] = code, ["reason"] = s.Reason ?? StepTerminationReason.ContainerReason(code) };
            if (s.StartedAt is { } started)
            {
                terminated["startedAt"] = Time(started);
            }

            if (s.FinishedAt is { } finished)
            {
                terminated["finishedAt"] = Time(finished);
            }

            o["terminated"] = terminated;
        }
        else if (s.StartedAt is { } started && s.TerminationReason is null)
        {
            o["running"] = new JsonObject { ["startedAt"] = Time(started) };
        }
        else
        {
            o["waiting"] = new JsonObject { ["reason"] = s.TerminationReason ?? "PodInitializing" };
        }

        if (s.TerminationReason is not null)
        {
            o["terminationReason"] = s.TerminationReason;
        }

        if (!s.Results.IsEmpty)
        {
            o["results"] = Results(s.Results);
        }

        return o;
    }
}
