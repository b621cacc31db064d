using Mothership.Engine.Execution;
using Mothership.Engine.Status;
using Mothership.Model.Substitution;
using Mothership.Model.Tekton;
using Mothership.Model.Tekton.Vocabulary;

namespace Mothership.Engine.Scheduling;

/// <summary>
/// The variables a pipeline task sees: pipeline params, the run's context, results and
/// statuses of other tasks, and which workspaces are bound.
/// </summary>
public static class PipelineScope
{
    /// <summary>
    /// The variables of the pipeline's tasks named in <paramref name="taskNames"/> (their results,
    /// statuses, reasons, matrix lengths) and <c>tasks.status</c>, layered on
    /// <paramref name="parent"/>. A task only needs the tasks it references, so a decision costs
    /// what its references cost, not the size of the pipeline.
    /// </summary>
    public static VariableScope ForTasks(PipelineRunState state, VariableScope parent, IEnumerable<string> taskNames, bool aggregate)
    {
        var scope = parent.Child();
        foreach (var name in taskNames)
        {
            if (state.Tasks.TryGetValue(name, out var t))
            {
                AddTask(scope, t);
            }
        }

        if (aggregate)
        {
            scope.Set("tasks.status", AggregateStatus(state));
        }

        return scope;
    }

    /// <summary>Every variable; with <paramref name="includeParams"/> false, all but <c>params.*</c>; with <paramref name="includeTasks"/> false, no task's.</summary>
    public static VariableScope Build(PipelineRunState state, bool includeParams = true, bool includeTasks = true)
    {
        var scope = new VariableScope();
        foreach (var (name, value) in includeParams ? state.Params : [])
        {
            scope.Set($"params.{name}", value);
        }

        scope.Set("context.pipelineRun.name", state.Name)
            .Set("context.pipelineRun.namespace", state.Run.Metadata.Namespace ?? "default")
            .Set("context.pipelineRun.uid", state.Uid)
            .Set("context.pipeline.name", state.Run.Spec.PipelineRef?.Name ?? state.Name);
        foreach (var w in state.Spec.Workspaces)
        {
            scope.Set($"workspaces.{w.Name}.bound", state.Run.Spec.Workspaces.Any(b => b.Name == w.Name) ? "true" : "false");
        }

        if (includeTasks)
        {
            foreach (var t in state.Tasks.Values)
            {
                AddTask(scope, t);
            }

            scope.Set("tasks.status", AggregateStatus(state));
        }

        return scope;
    }

    private static void AddTask(VariableScope scope, PipelineTaskState t)
    {
        foreach (var r in TaskResults(t))
        {
            scope.Set($"tasks.{t.Name}.results.{r.Name}", r.Value);
        }

        if (!t.IsFinally)
        {
            scope.Set($"tasks.{t.Name}.status", ExecutionStatus(t));
            scope.Set($"tasks.{t.Name}.reason", Reason(t));
            // An older spelling that Tekton's own examples still use in finally tasks.
            scope.Set($"context.{t.Name}.status", ExecutionStatus(t));
        }

        if (t.Task.Matrix is not null && t.Phase != TaskPhase.Pending)
        {
            var invariant = System.Globalization.CultureInfo.InvariantCulture;
            scope.Set($"tasks.{t.Name}.matrix.length", t.Runs.Length.ToString(invariant));
            foreach (var r in TaskResults(t))
            {
                scope.Set($"tasks.{t.Name}.matrix.{r.Name}.length", r.Value.ArrayValue.Length.ToString(invariant));
            }
        }
    }

    /// <summary>A task's results; a matrix task's string results become arrays in combination order.</summary>
    public static IEnumerable<RunResult> TaskResults(PipelineTaskState t)
    {
        if (t.Task.Matrix is null)
        {
            return t.Runs.Length == 1 && t.Runs[0].Last is { } last ? last.Results : [];
        }

        var names = t.Runs.SelectMany(r => r.Last?.Results ?? []).Select(r => r.Name).Distinct();
        return names.Select(n => new RunResult(n, ParamValue.Of(t.Runs
            .Select(r => r.Last?.Results.FirstOrDefault(x => x.Name == n)?.Value)
            .Where(v => v is { Type: ParamType.String })
            .Select(v => v!.StringValue!))));
    }

    /// <summary><c>$(tasks.X.status)</c>: Succeeded, Failed (also when cancelled) or None.</summary>
    public static string ExecutionStatus(PipelineTaskState t) => t.Phase switch
    {
        TaskPhase.Succeeded => "Succeeded",
        TaskPhase.Failed => "Failed",
        _ => "None",
    };

    /// <summary><c>$(tasks.X.reason)</c>: the TaskRun's condition reason.</summary>
    public static string Reason(PipelineTaskState t) => t.Phase switch
    {
        TaskPhase.Succeeded => "Succeeded",
        TaskPhase.Failed when t.FailureIgnored => TaskRunReason.FailureIgnored,
        TaskPhase.Failed => t.Runs.Select(r => r.Last).OfType<TaskRunOutcome>().Select(TaskRunReasons.Of).FirstOrDefault(r => r != TaskRunReason.Succeeded) ?? TaskRunReason.Failed,
        _ => "None",
    };

    /// <summary><c>$(tasks.status)</c>: Failed if a DAG task failed, Completed if some were skipped, else Succeeded.</summary>
    public static string AggregateStatus(PipelineRunState state)
    {
        var dag = state.DagTasks.ToList();
        if (dag.Any(t => t.Phase == TaskPhase.Failed && !t.FailureIgnored))
        {
            return "Failed";
        }

        if (dag.Any(t => !t.Done))
        {
            return "None";
        }

        return dag.Any(t => t.Phase == TaskPhase.Skipped) ? "Completed" : "Succeeded";
    }
}
