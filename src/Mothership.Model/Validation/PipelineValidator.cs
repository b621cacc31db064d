using System.Collections.Immutable;
using Mothership.Model.Diagnostics;
using Mothership.Model.Expressions;
using Mothership.Model.Graph;
using Mothership.Model.Limits;
using Mothership.Model.Resolution;
using Mothership.Model.Tekton;

namespace Mothership.Model.Validation;

/// <summary>Checks a pipeline spec: task names and references, the DAG, when, matrix and variables.</summary>
internal static class PipelineValidator
{
    /// <summary>
    /// Validates <paramref name="spec"/>; <paramref name="propagatedParams"/> and
    /// <paramref name="propagatedWorkspaces"/> come from a PipelineRun embedding it.
    /// </summary>
    public static void Validate(
        PipelineSpec spec,
        string owner,
        ResourceSet resources,
        DiagnosticBag bag,
        InputLimits limits,
        ImmutableDictionary<string, ParamType?>? propagatedParams = null,
        IEnumerable<string>? propagatedWorkspaces = null)
    {
        if (spec.Tasks.Length + spec.Finally.Length > limits.MaxPipelineTasks)
        {
            // Checking the rest would cost what the limit is there to avoid.
            bag.Error(spec.At("tasks"), $"{owner} has {spec.Tasks.Length + spec.Finally.Length} tasks (tasks and finally together): Mothership runs at most {limits.MaxPipelineTasks} in one pipeline; split it into several pipelines");
            return;
        }

        ImmutableArray<PipelineTask> all = [.. spec.Tasks, .. spec.Finally];
        NameRules.Unique(all, t => t.Name, "pipeline task", bag);
        NameRules.Unique(spec.Params, p => p.Name, "param", bag);
        NameRules.Unique(spec.Results, r => r.Name, "result", bag);
        NameRules.Unique(spec.Workspaces, w => w.Name, "workspace", bag);
        NameRules.WorkspaceNames(spec.Workspaces, w => w.Name, bag);
        foreach (var task in all)
        {
            NameRules.PipelineTaskName(task, bag);
        }

        var dag = FirstByName(spec.Tasks);
        var pipelineParams = ReferenceScope.ParamsOf(spec.Params);
        if (propagatedParams is not null)
        {
            pipelineParams = ReferenceScope.Merge(pipelineParams, propagatedParams);
        }

        var pipelineScope = new ReferenceScope
        {
            Params = pipelineParams,
            ParamsOwner = owner,
            Workspaces = [.. spec.Workspaces.Select(w => w.Name).Concat(propagatedWorkspaces ?? [])],
        };
        // One delegate for every task, not one per call.
        Func<PipelineTask, ImmutableHashSet<string>?> resultsOf = t => SpecOf(t, resources) is { } s ? [.. s.Results.Select(r => r.Name)] : null;

        foreach (var task in spec.Tasks)
        {
            ValidateTask(task, inFinally: false, dag, resultsOf, pipelineScope, resources, bag, limits);
        }

        foreach (var task in spec.Finally)
        {
            ValidateTask(task, inFinally: true, dag, resultsOf, pipelineScope, resources, bag, limits);
        }

        if (PipelineGraph.CycleOf(spec.Tasks) is { } found)
        {
            var cycle = StartAtFirstDeclared(found, spec.Tasks);
            var first = dag.GetValueOrDefault(cycle[0]);
            bag.Error(first?.Location ?? spec.Location, $"dependency cycle: {string.Join(" → ", cycle)}: remove a runAfter or result reference to break it");
        }

        // Pipeline results may read the results of any task, finally ones included.
        var everyTask = spec.Finally.IsDefaultOrEmpty ? dag : FirstByName(all);
        var resultScope = pipelineScope with { Tasks = new PipelineTaskReferences(everyTask, resultsOf, InFinally: true, Current: null) };
        foreach (var result in spec.Results)
        {
            foreach (var text in result.Value is { } v ? Substitution.TaskSpecRewriter.ValueStrings(v) : [])
            {
                VariableValidator.Check(text, result, "value", resultScope, bag);
            }
        }
    }

    /// <summary>Tasks by name; of duplicates (reported apart) the first declared.</summary>
    private static Dictionary<string, PipelineTask> FirstByName(ImmutableArray<PipelineTask> tasks)
    {
        var byName = new Dictionary<string, PipelineTask>(tasks.Length, StringComparer.Ordinal);
        foreach (var t in tasks)
        {
            byName.TryAdd(t.Name, t);
        }

        return byName;
    }

    /// <summary>Rotates a cycle path (<c>[b, c, a, b]</c>) to start at the task declared first, so the message is stable.</summary>
    private static ImmutableArray<string> StartAtFirstDeclared(ImmutableArray<string> cycle, ImmutableArray<PipelineTask> tasks)
    {
        var ring = cycle.Take(cycle.Length - 1).ToList();
        var start = tasks.Select(t => ring.IndexOf(t.Name)).FirstOrDefault(i => i >= 0, 0);
        var rotated = ring.Skip(start).Concat(ring.Take(start)).ToList();
        rotated.Add(rotated[0]);
        return [.. rotated];
    }

    /// <summary>The spec a pipeline task runs, when it is known without resolving anything remote.</summary>
    public static TaskSpec? SpecOf(PipelineTask task, ResourceSet resources) =>
        task.TaskSpec ?? (task.TaskRef is { Resolver: null, Name: { } name, Kind: var kind } && IsTaskKind(kind) ? resources.FindTask(name)?.Spec : null);

    /// <summary>Tekton decodes kinds case-insensitively (upstream examples write <c>kind: task</c>).</summary>
    public static bool IsTaskKind(string? kind) => string.IsNullOrEmpty(kind) || kind.Equals("Task", StringComparison.OrdinalIgnoreCase);

    private static void ValidateTask(
        PipelineTask task,
        bool inFinally,
        IReadOnlyDictionary<string, PipelineTask> dag,
        Func<PipelineTask, ImmutableHashSet<string>?> resultsOf,
        ReferenceScope pipelineScope,
        ResourceSet resources,
        DiagnosticBag bag,
        InputLimits limits)
    {
        var label = $"pipeline task '{task.Name}'";
        NameRules.Unique(task.Params, p => p.Name, "param", bag);
        NameRules.Unique(task.Workspaces, w => w.Name, "workspace", bag);
        // Positions are looked up only for fields that are set: most tasks set neither.
        if (task.OnError is not null)
        {
            NameRules.OnError(task.OnError, task.At("onError"), bag);
        }

        if (task.Timeout is not null)
        {
            NameRules.Timeout(task.Timeout, task.At("timeout"), bag);
        }
        if (task.Retries < 0)
        {
            bag.Error(task.At("retries"), $"{label} has retries {task.Retries}: use 0 or more");
        }

        CheckReference(task, label, resources, bag);
        CheckRunAfter(task, inFinally, label, dag, bag);
        foreach (var when in task.When)
        {
            CheckWhen(when, bag);
        }

        CheckMatrix(task, label, bag, limits);

        // Params of a pipeline task are substituted again inside the task, so besides the
        // pipeline's workspaces they may name the task's own ($(workspaces.source.path)).
        var taskSpec = SpecOf(task, resources);
        var scope = pipelineScope with
        {
            Tasks = new PipelineTaskReferences(dag, resultsOf, inFinally, task.Name),
            Workspaces = task.Workspaces.IsDefaultOrEmpty && (taskSpec is null || taskSpec.Workspaces.IsDefaultOrEmpty)
                ? pipelineScope.Workspaces
                : pipelineScope.Workspaces!.Union(task.Workspaces.Select(w => w.Name).Concat(taskSpec?.Workspaces.Select(w => w.Name) ?? [])),
        };
        VisitPipelineTaskStrings(task, (scope, bag), static (state, text, owner, field) => VariableValidator.Check(text, owner, field, state.scope, state.bag));

        string? embeddedLabel = null;
        IReadOnlyList<string> matrixNames = task.Matrix is { } m ? [.. m.Params.Concat(m.Include.SelectMany(i => i.Params)).Select(p => p.Name)] : [];
        if (task.TaskSpec is { } embedded)
        {
            // Tekton propagates the pipeline's params and workspaces into embedded specs, and the
            // task's own params as well; matrix params arrive one string at a time.
            var passed = TaskValidator.PassedParams(task.Params);
            if (matrixNames.Count > 0)
            {
                passed = ReferenceScope.Merge(passed, matrixNames.Select(n => KeyValuePair.Create(n, (ParamType?)ParamType.String)));
            }

            var outer = scope with
            {
                Params = ReferenceScope.Merge(passed, pipelineScope.Params),
            };
            TaskValidator.Validate(embedded, embeddedLabel ??= $"the taskSpec of {label}", resources, bag, outer);
        }

        if (taskSpec is { } spec)
        {
            var target = task.TaskSpec is null ? $"Task '{task.TaskRef!.Name}' (in {label})" : embeddedLabel ??= $"the taskSpec of {label}";
            NameRules.CheckParams(spec.Params, task.Params, matrixNames, target, task.Location, bag);
        }
    }

    private static void CheckReference(PipelineTask task, string label, ResourceSet resources, DiagnosticBag bag)
    {
        if (task.PipelineRef is not null)
        {
            bag.Error(task.At("pipelineRef"), $"{label}: pipelines in pipelines are not supported; use taskRef or taskSpec");
            return;
        }

        if (!NameRules.RefOrSpec(task.TaskRef, task.TaskSpec, "task", label, task.Location, bag))
        {
            return;
        }

        if (task.TaskRef is { } r)
        {
            CheckTaskRef(r, label, resources, bag);
        }
    }

    /// <summary>A taskRef must name a Task in the files; a remote ref's params must have its resolver's shape (what it names is checked once resolved).</summary>
    public static void CheckTaskRef(ResourceRef r, string label, ResourceSet resources, DiagnosticBag bag)
    {
        if (r.Resolver is not null)
        {
            ResolverParams.Check(r, label, bag);
            return;
        }

        if (!IsTaskKind(r.Kind))
        {
            bag.Error(r.At("kind"), $"{label}: taskRef kind '{r.Kind}' is a custom task, which is not supported: reference a Task");
            return;
        }

        if (string.IsNullOrEmpty(r.Name))
        {
            bag.Error(r.Location, $"{label}: taskRef has no name: name the Task to run");
        }
        else if (resources.FindTask(r.Name) is null)
        {
            ResourceValidator.NotDefined(resources, bag, r.At("name"), label, "Task", r.Name);
        }
    }

    private static void CheckRunAfter(PipelineTask task, bool inFinally, string label, IReadOnlyDictionary<string, PipelineTask> dag, DiagnosticBag bag)
    {
        if (inFinally)
        {
            if (task.RunAfter.Length > 0)
            {
                bag.Error(task.At("runAfter"), $"finally task '{task.Name}' uses runAfter, which is not allowed: finally tasks run after all tasks; remove runAfter");
            }

            return;
        }

        for (var i = 0; i < task.RunAfter.Length; i++)
        {
            var name = task.RunAfter[i];
            if (name == task.Name)
            {
                bag.Error(task.At($"runAfter[{i}]"), $"{label} cannot run after itself: remove '{name}' from runAfter");
            }
            else if (!dag.ContainsKey(name))
            {
                bag.Error(task.At($"runAfter[{i}]"), $"{label} runs after '{name}', which is not defined in tasks: fix the name or add the task");
            }
        }
    }

    private static void CheckWhen(WhenExpression when, DiagnosticBag bag)
    {
        bool Has(string field) => when.FieldLocations.ContainsKey(field);
        var classic = Has("input") || Has("operator") || Has("values");
        if (when.Cel is not null)
        {
            if (classic)
            {
                bag.Error(when.Location, "when expression has both cel and input/operator/values: use one form");
            }

            // A text with $(…) references is only CEL once they are substituted: the scheduler
            // checks it then (CELEvaluationFailed).
            if (!when.Cel.Contains("$(", StringComparison.Ordinal) && CelCompiler.SyntaxError(when.Cel) is { } error)
            {
                bag.Error(when.At("cel"), $"invalid CEL expression \"{when.Cel}\": {error}: fix the expression (CEL's standard library, no variables)");
            }

            return;
        }

        if (!Has("input"))
        {
            bag.Error(when.Location, "when expression has no input: add input, operator and values (or cel)");
        }

        if (when.Operator is null)
        {
            bag.Error(when.Location, "when expression has no operator: use in or notin");
        }
        else if (when.Operator is not ("in" or "notin"))
        {
            bag.Error(when.At("operator"), $"invalid when operator '{when.Operator}': use in or notin");
        }

        if (when.Values.IsDefaultOrEmpty)
        {
            bag.Error(when.At("values"), "when expression has no values: list at least one value");
        }
    }

    private static void CheckMatrix(PipelineTask task, string label, DiagnosticBag bag, InputLimits limits)
    {
        if (task.Matrix is not { } matrix)
        {
            return;
        }

        // With variables the count is known when the task starts (the engine checks it then):
        // a reference may stand for any number of values, none included.
        if (!NameRules.Strings(matrix.Params.Concat(matrix.Include.SelectMany(i => i.Params))).Any(x => x.Text.Contains("$(", StringComparison.Ordinal)) &&
            matrix.CountCombinations() is var count && count > limits.MaxMatrixCombinations)
        {
            bag.Error(task.At("matrix"), $"the matrix of {label} fans out to {count} TaskRuns: at most {limits.MaxMatrixCombinations} are allowed (Tekton's default-max-matrix-combinations-count); use fewer values");
        }

        NameRules.Unique(matrix.Params, p => p.Name, "matrix param", bag);
        var taskParams = task.Params.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var p in matrix.Params)
        {
            var whole = p.Value.Type == ParamType.String && VariableValidator.IsWholeReference(p.Value.StringValue!);
            if (p.Value.Type != ParamType.Array && !whole)
            {
                bag.Error(p.At("value"), $"matrix param '{p.Name}' of {label} is {NameRules.Describe(p.Value.Type)}: matrix params must be arrays");
            }

            if (taskParams.Contains(p.Name))
            {
                bag.Error(p.At("name"), $"param '{p.Name}' of {label} is both in params and in matrix: keep it in one place");
            }
        }
    }

    /// <summary>
    /// Calls <paramref name="visit"/> with every string of a pipeline task, outside an embedded
    /// taskSpec, where a variable may appear, with its owner and field. A plain walk, not an
    /// iterator: validation comes here for every task, and most tasks have none of these strings.
    /// </summary>
    private static void VisitPipelineTaskStrings<TState>(PipelineTask task, TState state, Action<TState, string, Located, string> visit)
    {
        if (!task.Params.IsDefaultOrEmpty)
        {
            foreach (var (text, owner, field) in NameRules.Strings(task.Params))
            {
                visit(state, text, owner, field);
            }
        }

        foreach (var w in task.When)
        {
            if (w.Input is { } input)
            {
                visit(state, input, w, "input");
            }

            if (w.Cel is { } cel)
            {
                visit(state, cel, w, "cel");
            }

            for (var i = 0; i < w.Values.Length; i++)
            {
                visit(state, w.Values[i], w, $"values[{i}]");
            }
        }

        if (task.Matrix is { } matrix)
        {
            foreach (var (text, owner, field) in NameRules.Strings(matrix.Params.Concat(matrix.Include.SelectMany(i => i.Params))))
            {
                visit(state, text, owner, field);
            }
        }

        if (task.Timeout is { } timeout)
        {
            visit(state, timeout, task, "timeout");
        }
    }
}
