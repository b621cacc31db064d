using System.Collections.Immutable;
using Mothership.Engine.Execution;
using Mothership.Engine.Resolution;
using Mothership.Engine.Reuse;
using Mothership.Engine.Running;
using Mothership.Model.Graph;
using Mothership.Model.Substitution;
using Mothership.Model.Tekton;
using Mothership.Model.Tekton.Vocabulary;
using Mothership.Model.Validation;

namespace Mothership.Engine.Scheduling;

/// <summary>
/// Tekton's PipelineRun reconciliation as a pure function: from the run's state and the time,
/// decide which TaskRuns to start, retry or cancel, which tasks are skipped and why, and when
/// the run is complete. No I/O: the driver executes the actions and feeds outcomes back.
/// </summary>
public static class PipelineRunScheduler
{
    private const string TimeoutCancelMessage = "TaskRun cancelled as the PipelineRun it belongs to has timed out.";
    private const string CancelMessage = "TaskRun cancelled as the PipelineRun it belongs to has been cancelled.";

    /// <summary>
    /// Creates the initial state of a run whose pipeline spec and params are resolved; pass the
    /// pipeline's graph when the caller already built it (validation does).
    /// </summary>
    public static PipelineRunState Start(PipelineRun run, PipelineSpec spec, ImmutableDictionary<string, ParamValue> parameters,
        ResourceSet resources, string uid, DateTimeOffset now, PipelineGraph? graph = null)
    {
        var tasks = ImmutableDictionary.CreateBuilder<string, PipelineTaskState>(StringComparer.Ordinal);
        foreach (var t in spec.Tasks)
        {
            tasks[t.Name] = new PipelineTaskState { Task = t };
        }

        foreach (var t in spec.Finally)
        {
            tasks[t.Name] = new PipelineTaskState { Task = t, IsFinally = true };
        }

        var state = new PipelineRunState
        {
            Run = run,
            Spec = spec,
            Graph = graph ?? PipelineGraph.Build(spec.Tasks),
            Resources = resources,
            Uid = uid,
            Params = parameters,
            Tasks = tasks.ToImmutable(),
            StartTime = now,
            CancelRequest = SpecStatus.IsCancelRequest(run.Spec.Status) ? run.Spec.Status : null,
        };
        return state with { Index = SchedulerIndex.Build(state) };
    }

    private static SchedulerIndex IndexOf(PipelineRunState s) => s.Index ?? SchedulerIndex.Build(s);

    /// <summary>Replaces a task's state, keeping the scheduler's index in step.</summary>
    private static PipelineRunState SetTask(PipelineRunState s, PipelineTaskState updated)
    {
        var index = IndexOf(s);
        return s with { Tasks = s.Tasks.SetItem(updated.Name, updated), Index = index.Update(s, s.Tasks[updated.Name], updated) };
    }

    /// <summary>Records the end of an attempt.</summary>
    public static PipelineRunState Record(PipelineRunState state, string pipelineTask, int childIndex, TaskRunOutcome outcome)
    {
        var t = state.Tasks[pipelineTask];
        var child = t.Runs[childIndex];
        if (Timeouts.EndedByRunDeadline(state, t, outcome))
        {
            // Its timer and the run's deadline fire at the same instant, and either can be seen
            // first; Tekton cancels the TaskRuns of a run that timed out, and so does this.
            outcome = outcome with { Phase = TaskRunPhase.Cancelled, Message = TimeoutCancelMessage };
        }

        child = child with { Running = false, Attempts = child.Attempts.Add(outcome) };
        var s = SetTask(state, t with { Runs = t.Runs.SetItem(childIndex, child) });
        return s with { Index = s.Index! with { Recorded = s.Index.Recorded.Add(pipelineTask) } };
    }

    /// <summary>Records a cancel request (Tekton's <c>spec.status</c>).</summary>
    public static PipelineRunState RequestCancel(PipelineRunState state, string request) =>
        state.Completion is null ? state with { CancelRequest = request } : state;

    /// <summary>
    /// Whether attempts already decided and waiting for a free slot may start before the next
    /// decision: no cancel request, no failure of the run and no deadline passed, none of which
    /// <see cref="Next"/> would answer by cancelling them.
    /// </summary>
    public static bool MayStartQueued(PipelineRunState state, DateTimeOffset now) =>
        state.Completion is null && state.CancelRequest is null && state.Failure is null && !Timeouts.AnyPassed(state, now);

    /// <summary>Decides what happens next.</summary>
    public static SchedulerDecision Next(PipelineRunState state, DateTimeOffset now)
    {
        if (state.Completion is not null)
        {
            return new SchedulerDecision(state, []);
        }

        var s = state.Index is null ? state with { Index = SchedulerIndex.Build(state) } : state;
        var actions = ImmutableArray.CreateBuilder<SchedulerAction>();
        var pipelineExpired = Timeouts.Pipeline(s) is { } pd && now >= pd;
        var tasksExpired = Timeouts.Tasks(s) is { } td && now >= td;
        var hardStop = s.CancelRequest == SpecStatus.Cancelled || s.Failure is not null;

        s = CancelRunning(s, now, pipelineExpired, tasksExpired, hardStop, actions);
        s = SettleAttempts(s, now, pipelineExpired || hardStop, actions);

        var stopping = s.Index!.DagFailures > 0;
        var scopes = new DecisionScopes(s);
        string? skipAll = stopping || hardStop ? SkipReasons.Stopping
            : s.CancelRequest == SpecStatus.CancelledRunFinally ? SkipReasons.GracefullyCancelled
            : s.CancelRequest == SpecStatus.StoppedRunFinally ? SkipReasons.GracefullyStopped
            : pipelineExpired ? SkipReasons.PipelineTimedOut
            : tasksExpired ? SkipReasons.TasksTimedOut
            : null;
        if (skipAll is not null)
        {
            for (var i = 0; i < s.Graph.Order.Length && s.Index!.DagPending > 0; i++)
            {
                var name = s.Graph.Order[i];
                if (s.Tasks[name].Phase == TaskPhase.Pending)
                {
                    s = Skip(s, name, skipAll);
                }
            }
        }

        // Only candidates can be ready (see SchedulerIndex), visited in the graph's order: a task
        // skipped here makes its children candidates, which come later in that order.
        for (var after = -1; skipAll is null;)
        {
            var candidates = s.Index!.Candidates;
            var at = candidates.IndexOf(after + 1);
            at = at < 0 ? ~at : at;
            if (at >= candidates.Count)
            {
                break;
            }

            after = candidates[at];
            var name = s.Graph.Order[after];
            var t = s.Tasks[name];
            if (t.Phase != TaskPhase.Pending)
            {
                s = s with { Index = s.Index with { Candidates = candidates.Remove(after) } };
                continue;
            }

            var parents = s.Graph.Parents[name].Select(p => s.Tasks[p]).ToList();
            if (parents.Any(p => !p.Done))
            {
                // Waiting for another parent, which makes it a candidate again when done.
                s = s with { Index = s.Index with { Candidates = candidates.Remove(after) } };
                continue;
            }

            if (parents.Any(p => p.Phase == TaskPhase.Skipped && p.Skip?.Reason != SkipReasons.WhenExpressions))
            {
                s = Skip(s, name, SkipReasons.ParentTasks);
                continue;
            }

            if (TaskReuse.TryReuse(s, t, parents) is { } reused)
            {
                // Taken over from the earlier run: done now, so its children become candidates, and
                // their scopes must see its results (the only task to end within a decision).
                s = SetTask(s, reused);
                scopes = new DecisionScopes(s);
                continue;
            }

            s = Evaluate(s, t, now, scopes, actions);
            if (s.Failure is not null || s.Index!.DagFailures > 0)
            {
                // The run fails as a whole (InvalidTaskResultReference, CELEvaluationFailed), or a
                // task failed before it could start (a matrix too large, a Task that cannot be
                // resolved): decide again as stopping, so no task after it starts in this decision.
                var again = Next(s, now);
                return again with { Actions = [.. actions, .. again.Actions] };
            }
        }

        if (s.Index!.DagOpen == 0)
        {
            if (s.FinallyStartTime is null && s.FinallyTasks.Any())
            {
                s = s with { FinallyStartTime = now };
            }

            var finallyExpired = Timeouts.Finally(s) is { } fd && now >= fd;
            DecisionScopes? finallyScopes = null;
            foreach (var t in s.FinallyTasks.Where(t => t.Phase == TaskPhase.Pending).ToList())
            {
                string? reason = hardStop ? SkipReasons.Stopping
                    : pipelineExpired ? SkipReasons.PipelineTimedOut
                    : finallyExpired ? SkipReasons.FinallyTimedOut
                    : null;
                s = reason is null ? Evaluate(s, t, now, finallyScopes ??= new DecisionScopes(s), actions) : Skip(s, t.Name, reason);
                if (reason is null && s.Failure is not null)
                {
                    // A finally task's CEL guard failed the run (a failure set before this call
                    // means hardStop, so reason is not null then): decide again as stopping.
                    var again = Next(s, now);
                    return again with { Actions = [.. actions, .. again.Actions] };
                }
            }
        }

        if (s.Index!.DagOpen == 0 && s.Index.FinallyOpen == 0)
        {
            s = Complete(s, now, pipelineExpired, tasksExpired);
        }

        return new SchedulerDecision(s, actions.ToImmutable());
    }

    private static PipelineRunState CancelRunning(PipelineRunState s, DateTimeOffset now, bool pipelineExpired, bool tasksExpired,
        bool hardStop, ImmutableArray<SchedulerAction>.Builder actions)
    {
        var finallyExpired = Timeouts.Finally(s) is { } fd && now >= fd;
        if (!(pipelineExpired || tasksExpired || finallyExpired || hardStop || s.CancelRequest == SpecStatus.CancelledRunFinally))
        {
            return s;
        }

        // Only a task in phase Running has attempts running.
        foreach (var t in s.Index!.Running.Select(n => s.Tasks[n]).ToList())
        {
            string? reason = t.IsFinally
                ? (pipelineExpired || finallyExpired ? TimeoutCancelMessage : hardStop ? CancelMessage : null)
                : (pipelineExpired || tasksExpired ? TimeoutCancelMessage
                    : hardStop || s.CancelRequest == SpecStatus.CancelledRunFinally ? CancelMessage : null);
            if (reason is null)
            {
                continue;
            }

            var runs = t.Runs;
            for (var i = 0; i < runs.Length; i++)
            {
                if (runs[i].Running && runs[i].CancelReason is null)
                {
                    runs = runs.SetItem(i, runs[i] with { CancelReason = reason });
                    actions.Add(new CancelAttempt(t.Name, i, reason));
                }
            }

            s = SetTask(s, t with { Runs = runs });
        }

        return s;
    }

    /// <summary>Retries failed attempts that have retries left, and settles finished tasks' phases.</summary>
    private static PipelineRunState SettleAttempts(PipelineRunState s, DateTimeOffset now, bool noRetries, ImmutableArray<SchedulerAction>.Builder actions)
    {
        // Only an attempt's end (Record) gives a task something to settle.
        var recorded = s.Index!.Recorded;
        if (recorded.IsEmpty)
        {
            return s;
        }

        s = s with { Index = s.Index with { Recorded = recorded.Clear() } };
        foreach (var t in recorded.Select(n => s.Tasks[n]).Where(t => t.Phase == TaskPhase.Running).ToList())
        {
            var runs = t.Runs;
            for (var i = 0; i < runs.Length; i++)
            {
                var c = runs[i];
                if (c.Running || c.Last is not { Phase: not TaskRunPhase.Succeeded } last || c.NoMoreRetries)
                {
                    continue;
                }

                var canRetry = !noRetries && c.CancelReason is null && RetryPolicy.Retries(last, c.Attempts.Length, t.Task.Retries);
                if (canRetry)
                {
                    // Each attempt gets the task's full timeout (capped by what is left of the run's).
                    var request = PipelineTaskRuns.Request(s, t, c, c.Attempts.Length, now, new DecisionScopes(s));
                    runs = runs.SetItem(i, c with { Running = true });
                    actions.Add(new StartAttempt(t.Name, i, request));
                }
                else
                {
                    runs = runs.SetItem(i, c with { NoMoreRetries = true });
                }
            }

            var updated = t with { Runs = runs };
            if (updated.Runs.All(r => r.Done))
            {
                updated = updated with
                {
                    Phase = updated.Runs.All(r => r.Last!.Phase == TaskRunPhase.Succeeded) ? TaskPhase.Succeeded : TaskPhase.Failed,
                };
            }

            s = SetTask(s, updated);
        }

        return s;
    }

    private static PipelineRunState Skip(PipelineRunState s, string name, string reason, ImmutableArray<WhenExpression> when = default) =>
        SetTask(s, s.Tasks[name] with { Phase = TaskPhase.Skipped, Skip = new SkipInfo(reason, when.IsDefault ? [] : when) });

    /// <summary>A task whose parents are done: check result references and when expressions, then start it.</summary>
    private static PipelineRunState Evaluate(PipelineRunState s, PipelineTaskState t, DateTimeOffset now, DecisionScopes scopes, ImmutableArray<SchedulerAction>.Builder actions)
    {
        var task = t.Task;
        var missing = MissingResults(s, task).ToList();
        if (missing.Count > 0)
        {
            var producerSkipped = missing.Any(m => s.Tasks.TryGetValue(m.Task, out var p) && p.Phase == TaskPhase.Skipped);
            if (producerSkipped || t.IsFinally || task.OnError == "continue" || missing.Any(m => s.Tasks.TryGetValue(m.Task, out var p) && p.FailureIgnored))
            {
                return Skip(s, t.Name, SkipReasons.MissingResults);
            }

            var first = missing[0];
            return s with
            {
                Failure = new RunCompletion(ConditionStatus.False, PipelineRunReason.InvalidTaskResultReference,
                    $"Invalid task result reference: Could not find result with name {first.Result} for pipeline task {first.Task}", now),
            };
        }

        var scope = scopes.For(task);
        var when = task.When.Select(w => w with
        {
            Input = w.Input is null ? null : scope.Apply(w.Input),
            Values = scope.ApplyList(w.Values),
            Cel = w.Cel is null ? null : scope.Apply(w.Cel),
        }).ToImmutableArray();

        // As Tekton's EvaluateCEL, every CEL guard is evaluated before any is used, so a broken
        // one fails the run even when another guard would have skipped the task.
        var cel = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var w in when)
        {
            if (w.Cel is not { } text || cel.ContainsKey(text))
            {
                continue;
            }

            var result = CelWhenEvaluator.Evaluate(text);
            if (result.Error is { } error)
            {
                return s with
                {
                    Failure = new RunCompletion(ConditionStatus.False, PipelineRunReason.CelEvaluationFailed,
                        $"Error evaluating CEL expression \"{text}\" of pipeline task {t.Name}: {error}", now),
                };
            }

            cel[text] = result.Holds;
        }

        if (when.Any(w => !WhenHolds(w, cel)))
        {
            return Skip(s, t.Name, SkipReasons.WhenExpressions, when);
        }

        var baseName = PipelineTaskRuns.Name(s.Name, t.Name);
        List<ImmutableArray<Param>>? combinations;
        try
        {
            combinations = MatrixFanOut.Combinations(task.Matrix, scope, s.Limits.MaxMatrixCombinations, t.Name);
        }
        catch (TaskResolutionException e)
        {
            // Too many combinations: the task fails as one TaskRun, as a task that cannot be made into one.
            s = SetTask(s, t with { Runs = [new ChildRun { TaskRunName = baseName, Uid = PipelineTaskRuns.Uid(s.Uid, baseName) }] });
            return FailValidation(s, t.Name, e.Message, now);
        }

        if (combinations is { Count: 0 })
        {
            return Skip(s, t.Name, SkipReasons.EmptyMatrix);
        }

        var children = combinations is null
            ? [new ChildRun { TaskRunName = baseName, Uid = PipelineTaskRuns.Uid(s.Uid, baseName) }]
            : combinations.Select((c, i) => new ChildRun
            {
                TaskRunName = $"{baseName}-{i}",
                Uid = PipelineTaskRuns.Uid(s.Uid, $"{baseName}-{i}"),
                MatrixParams = c,
            }).ToImmutableArray();
        var started = t with { Phase = TaskPhase.Running, Runs = [.. children.Select(c => c with { Running = true })] };
        s = SetTask(s, started);
        for (var i = 0; i < children.Length; i++)
        {
            TaskRunRequest request;
            try
            {
                request = PipelineTaskRuns.Request(s, started, children[i], 0, now, scopes);
            }
            catch (TaskResolutionException e)
            {
                return FailValidation(s, t.Name, e.Message, now);
            }

            actions.Add(new StartAttempt(t.Name, i, request));
        }

        return SetTask(s, s.Tasks[t.Name] with { ResultSpecs = ResultSpecsOf(s, task) });
    }

    internal static ImmutableArray<ResultSpec> ResultSpecsOf(PipelineRunState s, PipelineTask task) =>
        task.TaskSpec?.Results ?? (task.TaskRef?.Name is { } n ? s.Resources.FindTask(n)?.Spec.Results ?? [] : []);

    /// <summary>A task that cannot be turned into a TaskRun fails the run, as Tekton's validation failures do.</summary>
    private static PipelineRunState FailValidation(PipelineRunState s, string task, string message, DateTimeOffset now)
    {
        var t = s.Tasks[task];
        var outcome = new TaskRunOutcome { Phase = TaskRunPhase.Failed, Message = message, StartTime = now, CompletionTime = now };
        var runs = t.Runs.Select(r => r with { Running = false, NoMoreRetries = true, Attempts = [outcome] }).ToImmutableArray();
        return SetTask(s, t with { Phase = TaskPhase.Failed, Runs = runs });
    }

    /// <param name="w">A substituted when expression.</param>
    /// <param name="cel">The value of each substituted CEL text of the task's when expressions.</param>
    private static bool WhenHolds(WhenExpression w, IReadOnlyDictionary<string, bool> cel)
    {
        if (w.Cel is { } text)
        {
            return cel[text];
        }

        var contains = w.Values.Contains(w.Input ?? "");
        return w.Operator == "notin" ? !contains : contains;
    }

    private sealed record ResultRef(string Task, string Result);

    private static IEnumerable<ResultRef> MissingResults(PipelineRunState s, PipelineTask task)
    {
        foreach (var text in PipelineGraph.ReferencedStrings(task))
        {
            foreach (var (expr, _) in VariableScope.References(text))
            {
                var parts = expr.Split('.');
                if (parts.Length < 4 || parts[0] != "tasks" || parts[2] != "results")
                {
                    continue;
                }

                var resultName = parts[3].Split('[')[0];
                if (!s.Tasks.TryGetValue(parts[1], out var producer))
                {
                    continue;
                }

                if (!PipelineScope.TaskResults(producer).Any(r => r.Name == resultName))
                {
                    yield return new ResultRef(parts[1], resultName);
                }
            }
        }
    }

    private static PipelineRunState Complete(PipelineRunState s, DateTimeOffset now, bool pipelineExpired, bool tasksExpired)
    {
        var all = s.Tasks.Values.ToList();
        var cancelled = all.Count(t => t.WasCancelled);
        var failed = all.Count(t => t.Phase == TaskPhase.Failed && !t.FailureIgnored && !t.WasCancelled);
        var ignored = all.Count(t => t.FailureIgnored);
        var succeeded = all.Count(t => t.Phase == TaskPhase.Succeeded);
        var skipped = all.Count(t => t.Phase == TaskPhase.Skipped);
        var skippedByTimeout = all.Count(t => t.Skip is { } k && SkipReasons.IsTimeout(k.Reason));
        var message = $"Tasks Completed: {succeeded + failed + cancelled + ignored} (Failed: {failed}, Cancelled {cancelled}), Skipped: {skipped}";
        var completion = pipelineExpired
            ? new RunCompletion(ConditionStatus.False, PipelineRunReason.Timeout, $"PipelineRun \"{s.Name}\" failed to finish within \"{GoDuration.Format(Timeouts.Pipeline(s)!.Value - s.StartTime)}\"", now)
            : s.Failure is { } f ? f with { Time = now }
            // Tekton (GetPipelineConditionStatus): once timeouts.tasks has passed, the run ends
            // PipelineRunTimeout when its finally tasks are done, whatever its tasks' own ends.
            : tasksExpired ? new RunCompletion(ConditionStatus.False, PipelineRunReason.Timeout, $"PipelineRun \"{s.Name}\" failed due to tasks failed to finish within \"{GoDuration.Format(Timeouts.Tasks(s)!.Value - s.StartTime)}\"", now)
            : failed > 0 || skippedByTimeout > 0 ? new RunCompletion(ConditionStatus.False, PipelineRunReason.Failed, message, now)
            : s.CancelRequest is not null || cancelled > 0 ? new RunCompletion(ConditionStatus.False, PipelineRunReason.Cancelled, $"PipelineRun \"{s.Name}\" was cancelled", now)
            : skipped > 0 ? new RunCompletion(ConditionStatus.True, PipelineRunReason.Completed, message, now)
            : new RunCompletion(ConditionStatus.True, PipelineRunReason.Succeeded, message, now);
        return s with { Completion = completion, Results = PipelineResults(s) };
    }

    /// <summary>Pipeline results whose references all resolved; the others are left out, as Tekton does.</summary>
    public static ImmutableArray<RunResult> PipelineResults(PipelineRunState s)
    {
        var scope = PipelineScope.Build(s);
        // Only a pipeline result may read a finally task's result, as $(finally.TASK.results.NAME).
        foreach (var t in s.Tasks.Values.Where(t => t.IsFinally))
        {
            foreach (var r in PipelineScope.TaskResults(t))
            {
                scope.Set($"finally.{t.Name}.results.{r.Name}", r.Value);
            }
        }

        var results = ImmutableArray.CreateBuilder<RunResult>();
        foreach (var r in s.Spec.Results)
        {
            if (r.Value is null)
            {
                continue;
            }

            var value = scope.ApplyValue(r.Value);
            if (TaskSpecRewriter.ValueStrings(value).Any(v => v.Contains("$(tasks.", StringComparison.Ordinal) || v.Contains("$(finally.", StringComparison.Ordinal)))
            {
                continue;
            }

            results.Add(new RunResult(r.Name, value));
        }

        return results.ToImmutable();
    }
}
