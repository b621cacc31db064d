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
        var forwarded = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in a.Params)
        {
            var given = step.Params.FirstOrDefault(x => x.Name == p.Name)?.Value ?? p.Default;
            if (given is null)
            {
                throw new TaskResolutionException($"step '{step.Name}': StepAction '{step.Ref}' needs param '{p.Name}', which has no default and was not passed");
            }

            if (StepResultReference(given) is { } target)
            {
                // Earlier steps' results are only known while the task runs: point the action's
                // references at them and let the executor substitute them then.
                forwarded[p.Name] = target;
                continue;
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
        if (forwarded.Count > 0)
        {
            inlined = TaskSpecRewriter.ApplyStep(inlined, new TextRewrite(forwarded));
        }

        return TaskSpecRewriter.ApplyStep(inlined, scope);
    }

    /// <summary>The <c>steps.X.results.Y</c> a param value refers to as a whole, if it does.</summary>
    private static string? StepResultReference(ParamValue value)
    {
        if (value.Type != ParamType.String)
        {
            return null;
        }

        var refs = VariableScope.References(value.StringValue).ToList();
        if (refs.Count != 1 || !refs[0].Expression.StartsWith("steps.", StringComparison.Ordinal) || value.StringValue!.Trim().Length != value.StringValue.Length)
        {
            return null;
        }

        var expr = refs[0].Expression;
        return expr.EndsWith("[*]", StringComparison.Ordinal) ? expr[..^3] : expr;
    }

    /// <summary>Adds a param under <c>params.NAME</c> so that <c>[*]</c>, <c>[i]</c> and <c>.key</c> resolve.</summary>
    public static void AddParam(VariableScope scope, string name, ParamValue value) => scope.Set($"params.{name}", value);

    /// <summary>
    /// An object param's keys are the default's, overlaid with the given object's (Tekton builds
    /// the same map; a value that is not an object contributes no keys).
    /// </summary>
    public static ParamValue MergeObjectDefault(ParamSpec spec, ParamValue given) =>
        spec.Default is { Type: ParamType.Object } d && spec.Type == ParamType.Object
            ? given.Type == ParamType.Object ? ParamValue.Of(d.ObjectValue!.SetItems(given.ObjectValue!)) : d
            : given;

    private static Step MergeTemplate(Step template, Step step) => step with
    {
        Image = step.Image ?? template.Image,
        Command = step.Command.IsDefaultOrEmpty && step.Script is null ? template.Command : step.Command,
        Args = step.Args.IsDefaultOrEmpty && step.Script is null ? template.Args : step.Args,
        WorkingDir = step.WorkingDir ?? template.WorkingDir,
        Env = template.Env.Overlay(step.Env),
        EnvFrom = [.. template.EnvFrom, .. step.EnvFrom],
        VolumeMounts = [.. template.VolumeMounts.Where(t => step.VolumeMounts.All(v => v.MountPath != t.MountPath)), .. step.VolumeMounts],
        Extra = template.Extra.SetItems(step.Extra),
    };
}

/// <summary>A task cannot be prepared for running (unknown StepAction, missing param, …): a user mistake.</summary>
public sealed class TaskResolutionException(string message) : Exception(message);

/// <summary>Rewrites <c>$(params.p…)</c> into <c>$(TARGET…)</c>, keeping any <c>[i]</c>, <c>[*]</c> or <c>.key</c> suffix.</summary>
internal sealed partial class TextRewrite(IReadOnlyDictionary<string, string> targets) : IVariableRewriter
{
    [System.Text.RegularExpressions.GeneratedRegex(@"\$\(\s*params\.([A-Za-z0-9_.-]+?)((?:\[[^\]]*\])|(?:\.[A-Za-z0-9_-]+))?\s*\)")]
    private static partial System.Text.RegularExpressions.Regex ParamReference();

    public string Apply(string? text) => text is null ? "" : ParamReference().Replace(text, m =>
        targets.TryGetValue(m.Groups[1].Value, out var target) ? $"$({target}{m.Groups[2].Value})" : m.Value);

    public IEnumerable<string> ApplyItem(string item) => [Apply(item)];

    public ParamValue ApplyValue(ParamValue value) => value.Type switch
    {
        ParamType.String => ParamValue.Of(Apply(value.StringValue)),
        ParamType.Array => ParamValue.Of(value.ArrayValue.Select(Apply)),
        _ => ParamValue.Of(value.ObjectValue!.Select(kv => KeyValuePair.Create(kv.Key, Apply(kv.Value)))),
    };
}
