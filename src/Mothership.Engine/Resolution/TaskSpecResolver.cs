using System.Collections.Immutable;
using Mothership.Model.Substitution;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Resolution;

/// <summary>
/// Turns a task spec as written into the one an executor runs: StepActions inlined with their
/// own params, then the step template merged into every step (Tekton's order).
/// </summary>
public static class TaskSpecResolver
{
    /// <summary>Inlines StepActions and merges the step template; fails with a message for an unknown action.</summary>
    /// <remarks>
    /// The params a step passes to its StepAction are resolved with <paramref name="taskScope"/>
    /// first, so an action receives the task's values (arrays and objects keep their type).
    /// </remarks>
    public static TaskSpec Prepare(TaskSpec spec, ResourceSet resources, VariableScope taskScope)
    {
        var steps = spec.Steps
            .Select(s => s.Ref is null ? s : s with { Params = [.. s.Params.Select(p => p with { Value = taskScope.ApplyValue(p.Value) })] })
            .Select(s => InlineStepAction(s, resources))
            .ToList();
        var named = steps.Select((s, i) => s.Name.Length > 0 ? s : s with { Name = $"unnamed-{i}" });
        var template = spec.StepTemplate;
        return spec with
        {
            Steps = [.. named.Select(s => template is null ? s : MergeTemplate(template, s))],
            Sidecars = [.. spec.Sidecars.Select((s, i) => s.Name.Length > 0 ? s : s with { Name = $"unnamed-{i}" })],
            StepTemplate = null,
        };
    }

    private static Step InlineStepAction(Step step, ResourceSet resources)
    {
        if (step.Ref is null)
        {
            return step;
        }

        var action = resources.FindStepAction(step.Ref)
            ?? throw new TaskResolutionException($"step '{step.Name}' references StepAction '{step.Ref}', which is not defined in the files given");
        var a = action.Spec;
        var scope = new VariableScope();
        foreach (var p in a.Params)
        {
            var given = step.Params.FirstOrDefault(x => x.Name == p.Name)?.Value ?? p.Default;
            if (given is null)
            {
                throw new TaskResolutionException($"step '{step.Name}': StepAction '{step.Ref}' needs param '{p.Name}', which has no default and was not passed");
            }

            AddParam(scope, p.Name, MergeObjectDefault(p, given));
        }

        var inlined = step with
        {
            Ref = null,
            Params = [],
            Image = a.Image,
            Command = a.Command,
            Args = a.Args,
            Script = a.Script,
            Env = [.. a.Env, .. step.Env.Where(e => a.Env.All(x => x.Name != e.Name))],
            WorkingDir = step.WorkingDir ?? a.WorkingDir,
            VolumeMounts = [.. a.VolumeMounts, .. step.VolumeMounts],
            Results = a.Results,
        };
        return TaskSpecRewriter.ApplyStep(inlined, scope);
    }

    /// <summary>Adds a param under <c>params.NAME</c> so that <c>[*]</c>, <c>[i]</c> and <c>.key</c> resolve.</summary>
    public static void AddParam(VariableScope scope, string name, ParamValue value) => scope.Set($"params.{name}", value);

    /// <summary>An object param given only some keys keeps the default's other keys (Tekton does the same).</summary>
    public static ParamValue MergeObjectDefault(ParamSpec spec, ParamValue given) =>
        spec.Default is { Type: ParamType.Object } d && given.Type == ParamType.Object
            ? ParamValue.Of(d.ObjectValue!.SetItems(given.ObjectValue!))
            : given;

    private static Step MergeTemplate(Step template, Step step) => step with
    {
        Image = step.Image ?? template.Image,
        Command = step.Command.IsDefaultOrEmpty && step.Script is null ? template.Command : step.Command,
        Args = step.Args.IsDefaultOrEmpty && step.Script is null ? template.Args : step.Args,
        WorkingDir = step.WorkingDir ?? template.WorkingDir,
        Env = [.. template.Env.Where(t => step.Env.All(e => e.Name != t.Name)), .. step.Env],
        EnvFrom = [.. template.EnvFrom, .. step.EnvFrom],
        VolumeMounts = [.. template.VolumeMounts.Where(t => step.VolumeMounts.All(v => v.MountPath != t.MountPath)), .. step.VolumeMounts],
        Extra = template.Extra.SetItems(step.Extra),
    };
}

/// <summary>A task cannot be prepared for running (unknown StepAction, missing param, …): a user mistake.</summary>
public sealed class TaskResolutionException(string message) : Exception(message);
