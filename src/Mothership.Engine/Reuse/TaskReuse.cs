using System.Collections.Immutable;
using Mothership.Engine.Execution;
using Mothership.Engine.Scheduling;

namespace Mothership.Engine.Reuse;

/// <summary>
/// Rerun from the failure: which tasks of a finished PipelineRun a new run takes over instead of
/// running them again, and how the new run takes one over. The one place of that rule; the
/// scheduler asks <see cref="TryReuse"/> when a task is ready, so a reused task's results feed
/// <c>$(tasks.X.results.R)</c>, <c>when</c> and the tasks after it exactly as if it had run, and a
/// replayed journal (a server restarted mid-run) decides the same.
/// </summary>
public static class TaskReuse
{
    /// <summary>The message of a reused TaskRun's condition.</summary>
    public static string Message(ReusedTaskRun from) =>
        $"Reused from TaskRun \"{from.TaskRun}\" of PipelineRun \"{from.PipelineRun}\": it succeeded there and was not run again";

    /// <summary>
    /// The tasks of <paramref name="finished"/> a rerun from the failure reuses: DAG tasks that
    /// succeeded, a matrixed one only when every TaskRun of it succeeded. Failed, timed-out,
    /// cancelled and skipped tasks, those never started and every <c>finally</c> task run again.
    /// </summary>
    public static ImmutableDictionary<string, ReusedTask> FromFailed(PipelineRunState finished)
    {
        ArgumentNullException.ThrowIfNull(finished);
        var reused = ImmutableDictionary.CreateBuilder<string, ReusedTask>(StringComparer.Ordinal);
        foreach (var t in finished.DagTasks)
        {
            if (t.Phase != TaskPhase.Succeeded || t.Runs.IsEmpty || !t.Runs.All(r => r.Last?.Phase == TaskRunPhase.Succeeded))
            {
                continue;
            }

            reused[t.Name] = new ReusedTask
            {
                PipelineTask = t.Name,
                TaskRuns = [.. t.Runs.Select(r => r.ReusedFrom ?? new ReusedTaskRun
                {
                    PipelineRun = finished.Name, TaskRun = r.TaskRunName, MatrixParams = r.MatrixParams, Attempts = r.Attempts,
                })],
            };
        }

        return reused.ToImmutable();
    }

    /// <summary>
    /// <paramref name="t"/>, ready to start (its parents done), taken over from the earlier run:
    /// succeeded, with a TaskRun of this run per earlier one carrying its attempts. Null when it
    /// runs: not reusable, or one of its parents ran again in this run (its results may differ)
    /// rather than being reused or skipped by its <c>when</c> again.
    /// </summary>
    internal static PipelineTaskState? TryReuse(PipelineRunState s, PipelineTaskState t, IEnumerable<PipelineTaskState> parents)
    {
        if (t.IsFinally || !s.Reuse.TryGetValue(t.Name, out var from) || from.TaskRuns.IsEmpty
            || !parents.All(p => p.Reused || p.Skip?.Reason == SkipReasons.WhenExpressions))
        {
            return null;
        }

        var baseName = PipelineTaskRuns.Name(s.Name, t.Name);
        var matrixed = t.Task.Matrix is not null;
        var runs = from.TaskRuns.Select((r, i) =>
        {
            var name = matrixed ? $"{baseName}-{i}" : baseName;
            return new ChildRun
            {
                TaskRunName = name,
                Uid = PipelineTaskRuns.Uid(s.Uid, name),
                MatrixParams = r.MatrixParams,
                Attempts = r.Attempts,
                NoMoreRetries = true,
                ReusedFrom = r,
            };
        }).ToImmutableArray();
        return t with { Phase = TaskPhase.Succeeded, Runs = runs, ResultSpecs = PipelineRunScheduler.ResultSpecsOf(s, t.Task) };
    }
}
