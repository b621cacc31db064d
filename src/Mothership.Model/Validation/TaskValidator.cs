using System.Collections.Immutable;
using Mothership.Model.Diagnostics;
using Mothership.Model.Resolution;
using Mothership.Model.Substitution;
using Mothership.Model.Tekton;

namespace Mothership.Model.Validation;

/// <summary>Checks a task spec: names, steps, StepAction references and the variables it uses.</summary>
internal static class TaskValidator
{
    /// <summary>
    /// Validates <paramref name="spec"/>. <paramref name="outer"/> adds what Tekton propagates into
    /// an embedded spec (the params and workspaces of the run or pipeline around it) and the
    /// <c>$(tasks.…)</c> references allowed there.
    /// </summary>
    public static void Validate(TaskSpec spec, string owner, ResourceSet resources, DiagnosticBag bag, ReferenceScope? outer = null)
    {
        NameRules.Unique(spec.Steps, s => s.Name, "step", bag);
        NameRules.Unique(spec.Params, p => p.Name, "param", bag);
        NameRules.Unique(spec.Results, r => r.Name, "result", bag);
        NameRules.Unique(spec.Workspaces, w => w.Name, "workspace", bag);
        NameRules.ParamNames(spec.Params, bag);
        NameRules.ResultNames(spec.Results, bag);
        NameRules.WorkspaceNames(spec.Workspaces, w => w.Name, bag);
        foreach (var sidecar in spec.Sidecars)
        {
            NameRules.ContainerName(sidecar, "sidecar", bag);
        }

        if (spec.Steps.IsDefaultOrEmpty)
        {
            bag.Error(spec.At("steps"), $"{owner} has no steps: add at least one step");
        }

        foreach (var step in spec.Steps)
        {
            NameRules.ContainerName(step, "step", bag);
            NameRules.ResultNames(step.Results, bag);
            // Positions are looked up only for fields that are set: most steps set neither.
            if (step.OnError is not null)
            {
                NameRules.OnError(step.OnError, step.At("onError"), bag);
            }

            if (step.Timeout is not null)
            {
                NameRules.Timeout(step.Timeout, step.At("timeout"), bag);
            }

            NameRules.Unique(step.Params, p => p.Name, "param", bag);
            if (step.RemoteRef is { } remote)
            {
                ResolverParams.Check(remote, $"step '{step.Name}'", bag);
            }

            if (step.Ref is { } actionName && resources.FindStepAction(actionName) is null)
            {
                ResourceValidator.NotDefined(resources, bag, step.At("ref"), $"step '{step.Name}'", "StepAction", actionName);
            }
        }

        var scope = new ReferenceScope
        {
            Params = outer is null ? ReferenceScope.ParamsOf(spec.Params) : ReferenceScope.Merge(ReferenceScope.ParamsOf(spec.Params), outer.Params),
            ParamsOwner = owner,
            Results = spec.Results.IsDefaultOrEmpty ? [] : [.. spec.Results.Select(r => r.Name)],
            Workspaces = spec.Workspaces.IsDefaultOrEmpty && outer?.Workspaces is { } shared
                ? shared
                : [.. spec.Workspaces.Select(w => w.Name).Concat(outer?.Workspaces ?? [])],
            Tasks = outer?.Tasks,
        };
        TaskSpecRewriter.VisitStrings(spec, (scope, bag), static (state, text, located, field) => VariableValidator.Check(text, located, field, state.scope, state.bag));
    }

    /// <summary>Checks a StepAction's own variables against its declared params.</summary>
    public static void ValidateStepAction(StepAction action, DiagnosticBag bag)
    {
        var spec = action.Spec;
        NameRules.Unique(spec.Params, p => p.Name, "param", bag);
        NameRules.Unique(spec.Results, r => r.Name, "result", bag);
        NameRules.ParamNames(spec.Params, bag);
        NameRules.ResultNames(spec.Results, bag);
        var scope = new ReferenceScope { Params = ReferenceScope.ParamsOf(spec.Params), ParamsOwner = $"StepAction '{action.DisplayName}'" };
        var strings = new List<(string, Located, string)>();
        if (spec.Image is { } image)
        {
            strings.Add((image, spec, "image"));
        }

        if (spec.Script is { } script)
        {
            strings.Add((script, spec, "script"));
        }

        if (spec.WorkingDir is { } wd)
        {
            strings.Add((wd, spec, "workingDir"));
        }

        strings.AddRange(spec.Command.Select((c, i) => (c, (Located)spec, $"command[{i}]")));
        strings.AddRange(spec.Args.Select((a, i) => (a, (Located)spec, $"args[{i}]")));
        strings.AddRange(spec.Env.Where(e => e.Value is not null).Select(e => (e.Value!, (Located)e, "value")));
        foreach (var (text, located, field) in strings)
        {
            VariableValidator.Check(text, located, field, scope, bag);
        }
    }

    /// <summary>
    /// Params propagated into an embedded spec. Their type is left unknown: Tekton does not check
    /// how propagated params are used (upstream's stepaction-params example indexes a string one).
    /// </summary>
    public static ImmutableDictionary<string, ParamType?> PassedParams(ImmutableArray<Param> passed) =>
        passed.IsDefaultOrEmpty ? ReferenceScope.NoParams : passed.Select(p => p.Name).Distinct(StringComparer.Ordinal)
            .ToImmutableDictionary(n => n, _ => (ParamType?)null, StringComparer.Ordinal);
}
