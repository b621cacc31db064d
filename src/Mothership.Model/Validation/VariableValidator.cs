using Mothership.Model.Diagnostics;
using Mothership.Model.Substitution;
using Mothership.Model.Tekton;

namespace Mothership.Model.Validation;

/// <summary>
/// Checks that every <c>$(params…)</c>, <c>$(tasks…)</c>, <c>$(results…)</c> and
/// <c>$(workspaces…)</c> in a string names something in scope (an undeclared workspace is only a
/// warning, as Tekton does not check those). Other variables (context, steps, credentials …) are
/// provided by the engine and not checked.
/// </summary>
internal static class VariableValidator
{
    /// <summary>True when the whole text is one <c>$(…)</c> reference (its type is only known at run time).</summary>
    public static bool IsWholeReference(string text)
    {
        if (!text.StartsWith("$(", StringComparison.Ordinal))
        {
            return false;
        }

        var m = VariableScope.ReferencePattern().Match(text);
        return m.Success && m.Index == 0 && m.Length == text.Length;
    }

    public static void Check(string text, Located owner, string field, ReferenceScope scope, DiagnosticBag bag)
    {
        if (!text.Contains("$(", StringComparison.Ordinal))
        {
            return;
        }

        foreach (var (expression, _) in VariableScope.References(text))
        {
            var at = owner.At(field);
            if (expression.StartsWith("params.", StringComparison.Ordinal))
            {
                CheckParam(expression, expression["params.".Length..], at, scope, bag);
            }
            else if (expression.StartsWith("tasks.", StringComparison.Ordinal) && scope.Tasks is { } tasks)
            {
                CheckTask(expression, expression["tasks.".Length..], at, tasks, bag);
            }
            else if (expression.StartsWith("results.", StringComparison.Ordinal) && scope.Results is { } results)
            {
                var name = Segment(expression["results.".Length..]);
                if (!results.Contains(name))
                {
                    bag.Error(at, $"$({expression}) names result '{name}', which is not declared: add it to the task's results");
                }
            }
            else if (expression.StartsWith("workspaces.", StringComparison.Ordinal) && scope.Workspaces is { } workspaces)
            {
                var name = Segment(expression["workspaces.".Length..]);
                if (!workspaces.Contains(name))
                {
                    // A warning: Tekton checks no workspace reference and leaves an undeclared one as
                    // written (the Catalog has such env values that no step reads).
                    bag.Warning(at, $"$({expression}) names workspace '{name}', which is not declared: it stays as written; add it to the workspaces if a step needs it");
                }
            }
        }
    }

    /// <summary>The first name of a dotted path (up to '.' or '[').</summary>
    private static string Segment(string path)
    {
        var end = path.IndexOfAny(['.', '[']);
        return end < 0 ? path : path[..end];
    }

    private static void CheckParam(string expression, string path, SourceLocation at, ReferenceScope scope, DiagnosticBag bag)
    {
        string? index = null;
        var bracket = path.IndexOf('[', StringComparison.Ordinal);
        if (bracket >= 0)
        {
            index = path[bracket..];
            path = path[..bracket];
        }

        // Names may contain dots (written params["a.b"]), so the longest declared prefix wins.
        var name = path;
        string? key = null;
        while (!scope.Params.ContainsKey(name))
        {
            var dot = name.LastIndexOf('.');
            if (dot <= 0)
            {
                var first = Segment(path);
                bag.Error(at, $"$({expression}) names param '{first}', which is not declared: add it to the params of {scope.ParamsOwner}");
                return;
            }

            name = name[..dot];
            key = path[(dot + 1)..];
        }

        var type = scope.Params[name];
        if (index is not null && type == ParamType.String)
        {
            bag.Error(at, $"$({expression}) indexes param '{name}', which is a string: declare it with type array or drop the '{index}'");
        }
        else if (key is not null && type is ParamType.String or ParamType.Array)
        {
            bag.Error(at, $"$({expression}) reads key '{key}' of param '{name}', which is {(type == ParamType.String ? "a string" : "an array")}: declare it with type object or use $(params.{name})");
        }
    }

    private static void CheckTask(string expression, string path, SourceLocation at, PipelineTaskReferences refs, DiagnosticBag bag)
    {
        var parts = path.Split('.');
        if (parts is ["status"] or ["reason"])
        {
            if (!refs.InFinally)
            {
                bag.Error(at, $"$({expression}) is only available in finally tasks: move this task to finally");
            }

            return;
        }

        if (parts.Length < 2)
        {
            return;
        }

        var task = parts[0];
        var what = Segment(parts[1]);
        if (what is not ("results" or "status" or "reason"))
        {
            return;
        }

        if (what is "status" or "reason" && !refs.InFinally)
        {
            bag.Error(at, $"$({expression}) is only available in finally tasks: move this task to finally");
        }

        if (!refs.Tasks.TryGetValue(task, out var producer))
        {
            bag.Error(at, $"$({expression}) names task '{task}', which is not defined in tasks: fix the name or add the task");
            return;
        }

        if (what != "results" || parts.Length < 3)
        {
            return;
        }

        if (task == refs.Current)
        {
            bag.Error(at, $"$({expression}): task '{task}' cannot read its own results; pass the value within the task instead");
            return;
        }

        var result = Segment(parts[2]);
        if (refs.ResultsOf(producer) is { } declared && !declared.Contains(result))
        {
            bag.Error(at, $"$({expression}) names result '{result}', which task '{task}' does not declare: add it to that task's results or fix the name");
        }
    }
}
