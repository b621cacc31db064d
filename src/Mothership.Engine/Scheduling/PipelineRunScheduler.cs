using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Mothership.Engine.Execution;
using Mothership.Engine.Resolution;
using Mothership.Model.Graph;
using Mothership.Model.Substitution;
using Mothership.Model.Tekton;
using Mothership.Model.Validation;

namespace Mothership.Engine.Scheduling;

/// <summary>Something the driver must do after a scheduling decision.</summary>
public abstract record SchedulerAction(string PipelineTask, int ChildIndex);

/// <summary>Start (or retry) one TaskRun attempt.</summary>
public sealed record StartAttempt(string PipelineTask, int ChildIndex, TaskRunRequest Request) : SchedulerAction(PipelineTask, ChildIndex);

/// <summary>Cancel a running attempt; <see cref="Reason"/> is Tekton's TaskRun message.</summary>
public sealed record CancelAttempt(string PipelineTask, int ChildIndex, string Reason) : SchedulerAction(PipelineTask, ChildIndex);

/// <summary>The new state and what to do now.</summary>
public sealed record SchedulerDecision(PipelineRunState State, ImmutableArray<SchedulerAction> Actions);

/// <summary>
/// Tekton's PipelineRun reconciliation as a pure function: from the run's state and the time,
/// decide which TaskRuns to start, retry or cancel, which tasks are skipped and why, and when
/// the run is complete. No I/O: the driver executes the actions and feeds outcomes back.
/// </summary>
public static class PipelineRunScheduler
{
    /// <summary>Tekton's default timeout for a PipelineRun and a TaskRun (default-timeout-minutes).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromHours(1);

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
            CancelRequest = run.Spec.Status is "Cancelled" or "CancelledRunFinally" or "StoppedRunFinally" ? run.Spec.Status : null,
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
        child = child with { Running = false, Attempts = child.Attempts.Add(outcome) };
        var s = SetTask(state, t with { Runs = t.Runs.SetItem(childIndex, child) });
        return s with { Index = s.Index! with { Recorded = s.Index.Recorded.Add(pipelineTask) } };
    }

    /// <summary>Records a cancel request (Tekton's <c>spec.status</c>).</summary>
    public static PipelineRunState RequestCancel(PipelineRunState state, string request) =>
        state.Completion is null ? state with { CancelRequest = request } : state;

    /// <summary>The next moment a timeout fires, so the driver can wake up for it.</summary>
    public static DateTimeOffset? NextDeadline(PipelineRunState state, DateTimeOffset now)
    {
        var deadlines = new[] { PipelineDeadline(state), TasksDeadline(state), FinallyDeadline(state) };
        return deadlines.Where(d => d is { } x && x > now).Min();
    }

    private static TimeSpan? ParseTimeout(string? text) =>
        text is not null && GoDuration.TryParse(text, out var t) ? (t <= TimeSpan.Zero ? null : t) : null;

    private static DateTimeOffset? PipelineDeadline(PipelineRunState s)
    {
        var text = s.Run.Spec.Timeouts?.Pipeline;
        if (text is null)
        {
            return s.StartTime + DefaultTimeout;
        }

        return ParseTimeout(text) is { } t ? s.StartTime + t : null;
    }

    private static DateTimeOffset? TasksDeadline(PipelineRunState s) =>
        ParseTimeout(s.Run.Spec.Timeouts?.Tasks) is { } t ? s.StartTime + t : null;

    private static DateTimeOffset? FinallyDeadline(PipelineRunState s) =>
        s.FinallyStartTime is { } f && ParseTimeout(s.Run.Spec.Timeouts?.Finally) is { } t ? f + t : null;

    /// <summary>Decides what happens next.</summary>
    public static SchedulerDecision Next(PipelineRunState state, DateTimeOffset now)
    {
        if (state.Completion is not null)
        {
            return new SchedulerDecision(state, []);
        }

        var s = state.Index is null ? state with { Index = SchedulerIndex.Build(state) } : state;
        var actions = ImmutableArray.CreateBuilder<SchedulerAction>();
        var pipelineExpired = PipelineDeadline(s) is { } pd && now >= pd;
        var tasksExpired = TasksDeadline(s) is { } td && now >= td;
        var hardStop = s.CancelRequest == "Cancelled" || s.Failure is not null;

        s = CancelRunning(s, now, pipelineExpired, tasksExpired, hardStop, actions);
        s = SettleAttempts(s, now, pipelineExpired || hardStop, actions);

        var stopping = s.Index!.DagFailures > 0;
        var scopes = new Scopes(s);
        string? skipAll = stopping || hardStop ? SkipReasons.Stopping
            : s.CancelRequest == "CancelledRunFinally" ? SkipReasons.GracefullyCancelled
            : s.CancelRequest == "StoppedRunFinally" ? SkipReasons.GracefullyStopped
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

            s = Evaluate(s, t, now, scopes, actions);
            if (s.Failure is not null)
            {
                // The run fails as a whole (InvalidTaskResultReference, CELEvaluationFailed): decide again as stopping.
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

            var finallyExpired = FinallyDeadline(s) is { } fd && now >= fd;
            Scopes? finallyScopes = null;
            foreach (var t in s.FinallyTasks.Where(t => t.Phase == TaskPhase.Pending).ToList())
            {
                string? reason = hardStop ? SkipReasons.Stopping
                    : pipelineExpired ? SkipReasons.PipelineTimedOut
                    : finallyExpired ? SkipReasons.FinallyTimedOut
                    : null;
                s = reason is null ? Evaluate(s, t, now, finallyScopes ??= new Scopes(s), actions) : Skip(s, t.Name, reason);
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
            s = Complete(s, now, pipelineExpired);
        }

        return new SchedulerDecision(s, actions.ToImmutable());
    }

    private static PipelineRunState CancelRunning(PipelineRunState s, DateTimeOffset now, bool pipelineExpired, bool tasksExpired,
        bool hardStop, ImmutableArray<SchedulerAction>.Builder actions)
    {
        var finallyExpired = FinallyDeadline(s) is { } fd && now >= fd;
        if (!(pipelineExpired || tasksExpired || finallyExpired || hardStop || s.CancelRequest == "CancelledRunFinally"))
        {
            return s;
        }

        // Only a task in phase Running has attempts running.
        foreach (var t in s.Index!.Running.Select(n => s.Tasks[n]).ToList())
        {
            string? reason = t.IsFinally
                ? (pipelineExpired || finallyExpired ? TimeoutCancelMessage : hardStop ? CancelMessage : null)
                : (pipelineExpired || tasksExpired ? TimeoutCancelMessage
                    : hardStop || s.CancelRequest == "CancelledRunFinally" ? CancelMessage : null);
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

                var canRetry = !noRetries && c.CancelReason is null && last.Phase != TaskRunPhase.Cancelled && c.Attempts.Length <= t.Task.Retries;
                if (canRetry)
                {
                    // Each attempt gets the task's full timeout (capped by what is left of the run's).
                    var request = BuildRequest(s, t, c, c.Attempts.Length, now, new Scopes(s));
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
    private static PipelineRunState Evaluate(PipelineRunState s, PipelineTaskState t, DateTimeOffset now, Scopes scopes, ImmutableArray<SchedulerAction>.Builder actions)
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
                Failure = new RunCompletion("False", "InvalidTaskResultReference",
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
                    Failure = new RunCompletion("False", "CELEvaluationFailed",
                        $"Error evaluating CEL expression \"{text}\" of pipeline task {t.Name}: {error}", now),
                };
            }

            cel[text] = result.Holds;
        }

        if (when.Any(w => !WhenHolds(w, cel)))
        {
            return Skip(s, t.Name, SkipReasons.WhenExpressions, when);
        }

        var combinations = MatrixCombinations(task.Matrix, scope);
        if (combinations is { Count: 0 })
        {
            return Skip(s, t.Name, SkipReasons.EmptyMatrix);
        }

        var baseName = TaskRunName(s.Name, t.Name);
        var children = combinations is null
            ? [new ChildRun { TaskRunName = baseName, Uid = DeterministicUid(s.Uid, baseName) }]
            : combinations.Select((c, i) => new ChildRun
            {
                TaskRunName = $"{baseName}-{i}",
                Uid = DeterministicUid(s.Uid, $"{baseName}-{i}"),
                MatrixParams = c,
            }).ToImmutableArray();
        var started = t with { Phase = TaskPhase.Running, Runs = [.. children.Select(c => c with { Running = true })] };
        s = SetTask(s, started);
        for (var i = 0; i < children.Length; i++)
        {
            TaskRunRequest request;
            try
            {
                request = BuildRequest(s, started, children[i], 0, now, scopes);
            }
            catch (TaskResolutionException e)
            {
                return FailValidation(s, t.Name, e.Message, now);
            }

            actions.Add(new StartAttempt(t.Name, i, request));
        }

        return SetTask(s, s.Tasks[t.Name] with { ResultSpecs = ResultSpecsOf(s, task) });
    }

    private static ImmutableArray<ResultSpec> ResultSpecsOf(PipelineRunState s, PipelineTask task) =>
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

    /// <summary>Tekton's fan-out: each param's values multiply the combinations so far; includes add or extend.</summary>
    internal static List<ImmutableArray<Param>>? MatrixCombinations(Matrix? matrix, VariableScope scope)
    {
        if (matrix is null)
        {
            return null;
        }

        var combos = new List<ImmutableArray<Param>>();
        foreach (var p in matrix.Params)
        {
            var value = scope.ApplyValue(p.Value);
            var values = value.Type == ParamType.Array ? value.ArrayValue : [value.StringValue ?? ""];
            if (values.IsEmpty)
            {
                return [];
            }

            combos = combos.Count == 0
                ? [.. values.Select(v => ImmutableArray.Create(new Param { Name = p.Name, Value = ParamValue.Of(v) }))]
                : [.. values.SelectMany(v => combos.Select(c => c.Add(new Param { Name = p.Name, Value = ParamValue.Of(v) })))];
        }

        var matrixNames = matrix.Params.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var originalCount = combos.Count;
        foreach (var include in matrix.Include)
        {
            var ps = include.Params.Select(p => p with { Value = scope.ApplyValue(p.Value) }).ToList();
            var keys = ps.Where(p => matrixNames.Contains(p.Name)).ToList();
            var extra = ps.Where(p => !matrixNames.Contains(p.Name)).ToList();
            var matched = false;
            for (var i = 0; i < originalCount; i++)
            {
                var c = combos[i];
                if (keys.All(k => c.Any(x => x.Name == k.Name && x.Value.Equals(k.Value))))
                {
                    matched = true;
                    combos[i] = c.AddRange(extra.Where(e => c.All(x => x.Name != e.Name)));
                }
            }

            if (!matched || originalCount == 0)
            {
                combos.Add([.. ps]);
            }
        }

        return combos;
    }

    /// <summary>Tekton names a pipeline task's TaskRun <c>RUN-TASK</c>, shortened with a hash past 63 characters.</summary>
    public static string TaskRunName(string run, string task)
    {
        var name = $"{run}-{task}";
        if (name.Length <= 63)
        {
            return name;
        }

        var hash = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(name)))[..32];
        return $"{name[..(63 - 33)]}-{hash}"[..63];
    }

    private static string DeterministicUid(string parent, string name)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(parent + "/" + name));
        return new Guid(bytes.AsSpan(0, 16)).ToString();
    }

    /// <summary>
    /// The pipeline's variables, built at most once per decision: tasks started or skipped
    /// within one decision cannot be referenced by another ready task (a reference is an edge).
    /// </summary>
    private sealed class Scopes(PipelineRunState state)
    {
        private VariableScope? _full;
        private VariableScope? _withoutParams;

        /// <summary>Params, context and workspaces: what every task sees.</summary>
        private VariableScope Full => _full ??= PipelineScope.Build(state, includeTasks: false);

        private VariableScope WithoutParams => _withoutParams ??= PipelineScope.Build(state, includeParams: false, includeTasks: false);

        /// <summary>Everything <paramref name="task"/> can see: the common part plus the tasks it references.</summary>
        public VariableScope For(PipelineTask task, bool includeParams = true)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            var aggregate = false;
            foreach (var text in PipelineGraph.ReferencedStrings(task))
            {
                foreach (var (expr, _) in VariableScope.References(text))
                {
                    var parts = expr.Split('.', 3);
                    if (parts.Length >= 2 && parts[0] is "tasks" or "context")
                    {
                        aggregate |= expr == "tasks.status";
                        names.Add(parts[1]);
                    }
                }
            }

            return PipelineScope.ForTasks(state, includeParams ? Full : WithoutParams, names, aggregate);
        }
    }

    private static TaskRunRequest BuildRequest(PipelineRunState s, PipelineTaskState t, ChildRun child, int retryCount, DateTimeOffset now, Scopes scopes)
    {
        var task = t.Task;
        var retries = task.Retries.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var scope = scopes.For(task).Set("context.pipelineTask.retries", retries);
        TaskSpec spec;
        string? taskName = null;
        var embedded = task.TaskSpec is not null;
        if (task.TaskSpec is { } inline)
        {
            // Embedded specs see the pipeline's results and context directly (propagation, TEP-0107).
            spec = TaskSpecRewriter.Apply(inline, scopes.For(task, includeParams: false).Set("context.pipelineTask.retries", retries));
        }
        else if (task.TaskRef?.Name is { } refName && s.Resources.FindTask(refName) is { } found)
        {
            spec = found.Spec;
            taskName = refName;
        }
        else
        {
            throw new TaskResolutionException($"pipeline task '{task.Name}' references Task '{task.TaskRef?.Name}', which is not defined in the files given");
        }

        var parameters = task.Params.Select(p => p with { Value = scope.ApplyValue(p.Value) })
            .Where(p => child.MatrixParams.All(m => m.Name != p.Name))
            .Concat(child.MatrixParams)
            .ToImmutableArray();
        var (workspaces, declarations) = MapWorkspaces(s, task with
        {
            Workspaces = [.. task.Workspaces.Select(w => w with { SubPath = w.SubPath is null ? null : scope.Apply(w.SubPath) })],
        }, spec, embedded);
        spec = spec with { Workspaces = [.. spec.Workspaces, .. declarations] };
        return TaskRunBuilder.Build(new TaskRunInput
        {
            TaskRunName = child.TaskRunName,
            TaskRunUid = child.Uid,
            TaskName = taskName,
            Spec = spec,
            Embedded = embedded,
            Params = parameters,
            Propagated = s.Params,
            Workspaces = workspaces,
            PodTemplate = PodTemplate.Merge(s.Run.Spec.PodTemplate, s.Run.Spec.TaskRunSpecs.FirstOrDefault(r => r.PipelineTaskName == task.Name)?.PodTemplate),
            PipelineRunName = s.Name,
            PipelineRunUid = s.Uid,
            PipelineName = s.Run.Spec.PipelineRef?.Name ?? s.Name,
            PipelineTaskName = task.Name,
            Namespace = s.Run.Metadata.Namespace ?? "default",
            Retries = task.Retries,
            RetryCount = retryCount,
            Timeout = TaskTimeout(s, t, now),
            ServiceAccountName = s.Run.Spec.TaskRunSpecs.FirstOrDefault(r => r.PipelineTaskName == task.Name)?.ServiceAccountName
                ?? s.Run.Spec.ServiceAccountName,
            Labels = s.Run.Metadata.Labels
                .SetItem("tekton.dev/pipeline", s.Run.Spec.PipelineRef?.Name ?? s.Name)
                .SetItem("tekton.dev/pipelineRun", s.Name)
                .SetItem("tekton.dev/pipelineTask", task.Name),
        }, s.Resources);
    }

    private static TimeSpan? TaskTimeout(PipelineRunState s, PipelineTaskState t, DateTimeOffset now)
    {
        TimeSpan? own = t.Task.Timeout is { } text && GoDuration.TryParse(text, out var v)
            ? (v <= TimeSpan.Zero ? null : v)
            : DefaultTimeout;
        var deadline = t.IsFinally
            ? Min(FinallyDeadline(s), PipelineDeadline(s))
            : Min(TasksDeadline(s), PipelineDeadline(s));
        if (deadline is { } d)
        {
            var remaining = d - now;
            if (remaining < TimeSpan.FromMilliseconds(1))
            {
                remaining = TimeSpan.FromMilliseconds(1);
            }

            return own is null || remaining < own ? remaining : own;
        }

        return own;
    }

    private static DateTimeOffset? Min(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : (a < b ? a : b);

    private static (ImmutableArray<WorkspaceBinding> Bindings, ImmutableArray<WorkspaceDeclaration> Declarations) MapWorkspaces(
        PipelineRunState s, PipelineTask task, TaskSpec spec, bool embedded)
    {
        var bindings = ImmutableArray.CreateBuilder<WorkspaceBinding>();
        var declarations = ImmutableArray.CreateBuilder<WorkspaceDeclaration>();
        foreach (var b in task.Workspaces)
        {
            var runBinding = s.Run.Spec.Workspaces.FirstOrDefault(r => r.Name == (b.Workspace ?? b.Name));
            if (runBinding is null)
            {
                continue;
            }

            bindings.Add(ToTaskBinding(runBinding, b.Name, b.SubPath));
            if (embedded && spec.Workspaces.All(w => w.Name != b.Name))
            {
                declarations.Add(new WorkspaceDeclaration { Name = b.Name });
            }
        }

        if (embedded)
        {
            // Propagated workspaces: an embedded spec may use a pipeline workspace it never declared.
            var text = string.Join('\n', TaskSpecRewriter.Strings(spec).Select(x => x.Text));
            foreach (var runBinding in s.Run.Spec.Workspaces)
            {
                if (bindings.Any(b => b.Name == runBinding.Name) || spec.Workspaces.Any(w => w.Name == runBinding.Name) ||
                    !text.Contains($"workspaces.{runBinding.Name}.", StringComparison.Ordinal))
                {
                    continue;
                }

                bindings.Add(ToTaskBinding(runBinding, runBinding.Name, null));
                declarations.Add(new WorkspaceDeclaration { Name = runBinding.Name });
            }
        }

        return (bindings.ToImmutable(), declarations.ToImmutable());
    }

    private static WorkspaceBinding ToTaskBinding(WorkspaceBinding run, string taskWorkspace, string? subPath)
    {
        var combined = (run.SubPath, subPath) switch
        {
            (null or "", null or "") => null,
            (null or "", _) => subPath,
            (_, null or "") => run.SubPath,
            _ => $"{run.SubPath}/{subPath}",
        };
        var source = run.Source.VolumeClaimTemplate ? run.Source with { ClaimName = run.Name } : run.Source;
        return new WorkspaceBinding { Name = taskWorkspace, SubPath = combined, Source = source, Location = run.Location };
    }

    private static PipelineRunState Complete(PipelineRunState s, DateTimeOffset now, bool pipelineExpired)
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
            ? new RunCompletion("False", "PipelineRunTimeout", $"PipelineRun \"{s.Name}\" failed to finish within \"{GoDuration.Format(PipelineDeadline(s)!.Value - s.StartTime)}\"", now)
            : s.Failure is { } f ? f with { Time = now }
            : failed > 0 || skippedByTimeout > 0 ? new RunCompletion("False", "Failed", message, now)
            : s.CancelRequest is not null || cancelled > 0 ? new RunCompletion("False", "Cancelled", $"PipelineRun \"{s.Name}\" was cancelled", now)
            : skipped > 0 ? new RunCompletion("True", "Completed", message, now)
            : new RunCompletion("True", "Succeeded", message, now);
        return s with { Completion = completion, Results = PipelineResults(s) };
    }

    /// <summary>Pipeline results whose references all resolved; the others are left out, as Tekton does.</summary>
    public static ImmutableArray<RunResult> PipelineResults(PipelineRunState s)
    {
        var scope = PipelineScope.Build(s);
        var results = ImmutableArray.CreateBuilder<RunResult>();
        foreach (var r in s.Spec.Results)
        {
            if (r.Value is null)
            {
                continue;
            }

            var value = scope.ApplyValue(r.Value);
            if (TaskSpecRewriter.ValueStrings(value).Any(v => v.Contains("$(tasks.", StringComparison.Ordinal)))
            {
                continue;
            }

            results.Add(new RunResult(r.Name, value));
        }

        return results.ToImmutable();
    }
}
