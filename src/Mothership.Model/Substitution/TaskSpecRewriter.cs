using System.Collections.Immutable;
using Mothership.Model.Tekton;

namespace Mothership.Model.Substitution;

/// <summary>Something that rewrites the strings of a spec: a <see cref="VariableScope"/> or a textual rewrite.</summary>
public interface IVariableRewriter
{
    /// <summary>Rewrites the variables in a string.</summary>
    string Apply(string? text);

    /// <summary>Rewrites one list item, which may expand into several (array references).</summary>
    IEnumerable<string> ApplyItem(string item);

    /// <summary>Rewrites inside a param value.</summary>
    ParamValue ApplyValue(ParamValue value);

    /// <summary>Rewrites a list, expanding items.</summary>
    ImmutableArray<string> ApplyList(ImmutableArray<string> items) =>
        items.IsDefaultOrEmpty ? items : [.. items.SelectMany(ApplyItem)];
}

/// <summary>
/// Applies a <see cref="VariableScope"/> to every field of a task spec where Tekton substitutes
/// variables (its <c>ApplyReplacements</c>, <c>pkg/container</c> and <c>ReplaceWorkspaceBindingsVars</c>):
/// steps, sidecars and the step template (image, command, args, script, env and env sources,
/// workingDir, volume mounts with their subPath, params), volumes (name, ConfigMap, Secret and claim
/// names, items' keys and paths, projected sources), workspace mount paths, and workspace bindings.
/// </summary>
public static class TaskSpecRewriter
{
    public static TaskSpec Apply(TaskSpec spec, IVariableRewriter scope) => spec with
    {
        Steps = [.. spec.Steps.Select(s => ApplyStep(s, scope))],
        Sidecars = [.. spec.Sidecars.Select(s => ApplyStep(s, scope))],
        StepTemplate = spec.StepTemplate is null ? null : ApplyStep(spec.StepTemplate, scope),
        Volumes = [.. spec.Volumes.Select(v => v with { Name = scope.Apply(v.Name), Source = ApplySource(v.Source, scope) })],
        Workspaces = [.. spec.Workspaces.Select(w => w with { MountPath = w.MountPath is null ? null : scope.Apply(w.MountPath) })],
        DisplayName = spec.DisplayName is null ? null : scope.Apply(spec.DisplayName),
    };

    public static Step ApplyStep(Step step, IVariableRewriter scope) => step with
    {
        Image = step.Image is null ? null : scope.Apply(step.Image),
        Command = scope.ApplyList(step.Command),
        Args = scope.ApplyList(step.Args),
        Script = step.Script is null ? null : scope.Apply(step.Script),
        WorkingDir = step.WorkingDir is null ? null : scope.Apply(step.WorkingDir),
        Env = [.. step.Env.Select(e => e with
        {
            Value = e.Value is null ? null : scope.Apply(e.Value),
            ConfigMapKeyRef = e.ConfigMapKeyRef is { } c ? c with { Name = scope.Apply(c.Name), Key = scope.Apply(c.Key) } : null,
            SecretKeyRef = e.SecretKeyRef is { } s ? s with { Name = scope.Apply(s.Name), Key = scope.Apply(s.Key) } : null,
        })],
        EnvFrom = [.. step.EnvFrom.Select(e => e with
        {
            Prefix = e.Prefix is null ? null : scope.Apply(e.Prefix),
            ConfigMapName = e.ConfigMapName is null ? null : scope.Apply(e.ConfigMapName),
            SecretName = e.SecretName is null ? null : scope.Apply(e.SecretName),
        })],
        VolumeMounts = [.. step.VolumeMounts.Select(v => v with
        {
            Name = scope.Apply(v.Name),
            MountPath = scope.Apply(v.MountPath),
            SubPath = v.SubPath is null ? null : scope.Apply(v.SubPath),
        })],
        Params = [.. step.Params.Select(p => p with { Value = scope.ApplyValue(p.Value) })],
        StdoutConfig = step.StdoutConfig is { } o ? new OutputConfig(scope.Apply(o.Path)) : null,
        StderrConfig = step.StderrConfig is { } e2 ? new OutputConfig(scope.Apply(e2.Path)) : null,
        ReadinessCommand = scope.ApplyList(step.ReadinessCommand),
        Timeout = step.Timeout is null ? null : scope.Apply(step.Timeout),
        OnError = step.OnError is null ? null : scope.Apply(step.OnError),
    };

    private static VolumeSource ApplySource(VolumeSource source, IVariableRewriter scope) => source with
    {
        ConfigMapName = source.ConfigMapName is null ? null : scope.Apply(source.ConfigMapName),
        SecretName = source.SecretName is null ? null : scope.Apply(source.SecretName),
        ClaimName = source.ClaimName is null ? null : scope.Apply(source.ClaimName),
        Items = [.. source.Items.Select(i => new KeyToPath(scope.Apply(i.Key), scope.Apply(i.Path)))],
        Sources = [.. source.Sources.Select(s => ApplySource(s, scope))],
    };

    /// <summary>
    /// A TaskRun's or PipelineRun's workspace binding with its variables substituted: its subPath
    /// and its source (claim, ConfigMap and Secret names and items), as Tekton's
    /// <c>ReplaceWorkspaceBindingsVars</c> does with the run's params.
    /// </summary>
    public static WorkspaceBinding ApplyBinding(WorkspaceBinding binding, IVariableRewriter scope)
    {
        ArgumentNullException.ThrowIfNull(binding);
        ArgumentNullException.ThrowIfNull(scope);
        return binding with
        {
            SubPath = binding.SubPath is null ? null : scope.Apply(binding.SubPath),
            Source = ApplySource(binding.Source, scope),
        };
    }

    /// <summary>Every string of a task spec where variables may appear, for validation.</summary>
    public static IEnumerable<(string Text, Located Owner, string Field)> Strings(TaskSpec spec)
    {
        var strings = new List<(string, Located, string)>();
        VisitStrings(spec, strings, static (list, text, owner, field) => list.Add((text, owner, field)));
        return strings;
    }

    /// <summary>
    /// Calls <paramref name="visit"/> with every string of a task spec where variables may appear,
    /// its owner and field, in <see cref="Strings"/>' order. A plain walk, without an iterator per
    /// step: validation and the graph go through every task of large pipelines.
    /// </summary>
    public static void VisitStrings<TState>(TaskSpec spec, TState state, Action<TState, string, Located, string> visit)
    {
        foreach (var step in spec.Steps)
        {
            VisitStepStrings(step, state, visit);
        }

        foreach (var sidecar in spec.Sidecars)
        {
            VisitStepStrings(sidecar, state, visit);
        }

        if (spec.StepTemplate is { } t)
        {
            VisitStepStrings(t, state, visit);
        }
    }

    private static void VisitStepStrings<TState>(Step s, TState state, Action<TState, string, Located, string> visit)
    {
        if (s.Image is { } image)
        {
            visit(state, image, s, "image");
        }

        if (s.Script is { } script)
        {
            visit(state, script, s, "script");
        }

        if (s.WorkingDir is { } wd)
        {
            visit(state, wd, s, "workingDir");
        }

        for (var i = 0; i < s.Command.Length; i++)
        {
            visit(state, s.Command[i], s, Indexed(CommandFields, "command", i));
        }

        for (var i = 0; i < s.Args.Length; i++)
        {
            visit(state, s.Args[i], s, Indexed(ArgsFields, "args", i));
        }

        foreach (var e in s.Env)
        {
            if (e.Value is { } v)
            {
                visit(state, v, e, "value");
            }
        }

        foreach (var p in s.Params)
        {
            foreach (var v in ValueStrings(p.Value))
            {
                visit(state, v, p, "value");
            }
        }
    }

    // Field names of the first list items, made once: validation walks every step of every task.
    private static readonly string[] CommandFields = [.. Enumerable.Range(0, 16).Select(i => $"command[{i}]")];
    private static readonly string[] ArgsFields = [.. Enumerable.Range(0, 16).Select(i => $"args[{i}]")];

    private static string Indexed(string[] cache, string field, int i) => i < cache.Length ? cache[i] : $"{field}[{i}]";

    /// <summary>The strings inside a param value.</summary>
    public static IEnumerable<string> ValueStrings(ParamValue value) => value.Type switch
    {
        ParamType.String => [value.StringValue!],
        ParamType.Array => value.ArrayValue,
        _ => value.ObjectValue!.Values,
    };
}
