using Mothership.Model.Substitution;
using Mothership.Model.Tekton;
using Mothership.Model.Tekton.Vocabulary;

namespace Mothership.Engine.Execution;

/// <summary>
/// The variables only an executor can fill in, named once for every executor (Tekton's
/// <c>pkg/pod</c> and entrypoint): <c>$(workspaces.w.path|bound|claim|volume)</c>,
/// <c>$(results.r.path)</c>, <c>$(credentials.path)</c>, <c>$(steps.s.exitCode.path)</c> and,
/// per step, <c>$(step.results.r.path)</c>; and the keys of step results,
/// <c>$(steps.s.results.r)</c>, which a later step or a task result reads.
/// </summary>
public static class AttemptVariables
{
    /// <summary>The attempt-wide variables of <paramref name="spec"/>'s steps and sidecars.</summary>
    public static VariableScope Scope(TaskSpec spec, AttemptPaths paths, IEnumerable<AttemptWorkspace> workspaces)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(paths);
        var scope = new VariableScope();
        foreach (var w in workspaces)
        {
            scope.Set($"workspaces.{w.Name}.path", w.Path ?? "");
            scope.Set($"workspaces.{w.Name}.bound", w.Bound ? "true" : "false");
            scope.Set($"workspaces.{w.Name}.claim", w.Claim);
            scope.Set($"workspaces.{w.Name}.volume", w.Bound ? w.Volume : "");
        }

        foreach (var r in spec.Results)
        {
            scope.Set($"results.{r.Name}.path", paths.Result(r.Name));
        }

        scope.Set("credentials.path", paths.Credentials);
        foreach (var name in ContainerNames.NamesOf(spec.Steps))
        {
            var exitCode = paths.ExitCode(ContainerNames.Step(name));
            scope.Set($"steps.{ContainerNames.Step(name)}.exitCode.path", exitCode);
            scope.Set($"steps.{name}.exitCode.path", exitCode);
        }

        return scope;
    }

    /// <summary><paramref name="spec"/> with the attempt-wide variables substituted.</summary>
    public static TaskSpec Apply(TaskSpec spec, AttemptPaths paths, IEnumerable<AttemptWorkspace> workspaces) =>
        TaskSpecRewriter.Apply(spec, Scope(spec, paths, workspaces));

    /// <summary>
    /// <paramref name="step"/> with its own <c>$(step.results.r.path)</c> substituted (and, with
    /// <paramref name="earlier"/>, the results earlier steps produced).
    /// </summary>
    public static Step ApplyStep(Step step, string container, AttemptPaths paths, VariableScope? earlier = null)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(paths);
        if (step.Results.IsDefaultOrEmpty && earlier is null)
        {
            return step;
        }

        var scope = earlier?.Child() ?? new VariableScope();
        foreach (var r in step.Results)
        {
            scope.Set($"step.results.{r.Name}.path", paths.StepResult(container, r.Name));
        }

        return TaskSpecRewriter.ApplyStep(step, scope);
    }

    /// <summary>The variable a step result is read through: <c>steps.STEP.results.RESULT</c>.</summary>
    public static string StepResult(string step, string result) => $"steps.{step}.results.{result}";
}
