using System.Collections.Immutable;
using Mothership.Engine.Execution;
using Mothership.Model.Loading;
using Mothership.Model.Secrets;
using Mothership.Model.Substitution;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Resolution;

/// <summary>What a TaskRun is made of before its params are resolved.</summary>
public sealed record TaskRunInput
{
    public required string TaskRunName { get; init; }
    public required string TaskRunUid { get; init; }
    public string? TaskName { get; init; }
    public required TaskSpec Spec { get; init; }
    /// <summary>True for an embedded taskSpec: undeclared params passed or propagated are usable.</summary>
    public bool Embedded { get; init; }
    public ImmutableArray<Param> Params { get; init; } = [];
    /// <summary>Values that flow into an embedded spec without being declared (pipeline params).</summary>
    public ImmutableDictionary<string, ParamValue> Propagated { get; init; } = ImmutableDictionary<string, ParamValue>.Empty;
    public ImmutableArray<WorkspaceBinding> Workspaces { get; init; } = [];
    /// <summary>The run's pod template: its volumes join the task's own, its env wins over the steps'.</summary>
    public PodTemplate? PodTemplate { get; init; }
    public string? PipelineRunName { get; init; }
    public string? PipelineRunUid { get; init; }
    public string? PipelineName { get; init; }
    public string? PipelineTaskName { get; init; }
    public string Namespace { get; init; } = "default";
    public int Retries { get; init; }
    public int RetryCount { get; init; }
    public TimeSpan? Timeout { get; init; }
    public string? ServiceAccountName { get; init; }
    public ImmutableSortedDictionary<string, string> Labels { get; init; } = ImmutableSortedDictionary<string, string>.Empty;
    /// <summary>The run's annotations (<c>mothership.io/plain-params</c>).</summary>
    public ImmutableSortedDictionary<string, string> Annotations { get; init; } = ImmutableSortedDictionary<string, string>.Empty;
    /// <summary>Values to mask that the caller knows of (a pipeline's secret-looking params).</summary>
    public ImmutableArray<string> SecretValues { get; init; } = [];
}

/// <summary>
/// Resolves a TaskRun's params (given, defaults, propagated), substitutes params and context
/// variables into its spec and produces the executor's request. Pure.
/// </summary>
public static class TaskRunBuilder
{
    public static TaskRunRequest Build(TaskRunInput input, ResourceSet resources)
    {
        var values = ResolveParams(input, input.Spec);
        var scope = new VariableScope();
        foreach (var (name, value) in values)
        {
            TaskSpecResolver.AddParam(scope, name, value);
            // The pre-v1 spelling, still found in Tekton's own examples.
            scope.Set($"inputs.params.{name}", value);
        }

        // A TaskRun's own bindings take its params (Tekton's ApplyParametersToWorkspaceBindings,
        // params only, before the context joins the scope); a PipelineRun's were given the
        // pipeline's params when they were mapped to this task.
        var workspaces = input.PipelineRunName is null
            ? [.. input.Workspaces.Select(b => TaskSpecRewriter.ApplyBinding(b, scope))]
            : input.Workspaces;
        scope.Set("context.taskRun.name", input.TaskRunName)
            .Set("context.taskRun.namespace", input.Namespace)
            .Set("context.taskRun.uid", input.TaskRunUid)
            .Set("context.task.name", input.TaskName ?? input.PipelineTaskName ?? input.TaskRunName)
            .Set("context.task.retry-count", input.RetryCount.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Set("context.pipelineTask.retries", input.Retries.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (input.PipelineRunName is not null)
        {
            scope.Set("context.pipelineRun.name", input.PipelineRunName)
                .Set("context.pipelineRun.namespace", input.Namespace)
                .Set("context.pipelineRun.uid", input.PipelineRunUid ?? "")
                .Set("context.pipeline.name", input.PipelineName ?? input.PipelineRunName);
        }

        var podTemplate = PodTemplate.Merge(TektonDefaults.PodTemplate(resources), input.PodTemplate);
        var prepared = TaskSpecResolver.Prepare(WithPodTemplate(input.Spec, podTemplate), resources, scope);
        var spec = TaskSpecRewriter.Apply(prepared, scope);
        var declaredParams = spec.Params.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        spec = spec with
        {
            Params = [.. spec.Params, .. values.Where(kv => !declaredParams.Contains(kv.Key))
                .Select(kv => new ParamSpec { Name = kv.Key, Type = kv.Value.Type })],
        };
        return new TaskRunRequest
        {
            TaskRunName = input.TaskRunName,
            TaskRunUid = input.TaskRunUid,
            PipelineRunName = input.PipelineRunName,
            PipelineRunUid = input.PipelineRunUid,
            PipelineTaskName = input.PipelineTaskName,
            Spec = spec,
            Workspaces = workspaces,
            Resources = resources,
            RetryCount = input.RetryCount,
            Timeout = input.Timeout,
            ServiceAccountName = input.ServiceAccountName,
            Labels = input.Labels,
            Annotations = input.Annotations,
            PodTemplate = podTemplate,
            SecretValues = [.. input.SecretValues.Concat(SecretNames.Values(values, SecretNames.Plain(input.Annotations))).Distinct(StringComparer.Ordinal)],
        };
    }

    /// <summary>
    /// A pod template's volumes added to the task's own (the task's win by name) and its env set
    /// on every step and sidecar, winning over theirs, as Tekton does.
    /// </summary>
    private static TaskSpec WithPodTemplate(TaskSpec spec, PodTemplate? template)
    {
        if (template is null)
        {
            return spec;
        }

        return spec with
        {
            Volumes = [.. spec.Volumes, .. template.Volumes.Where(v => spec.Volumes.All(x => x.Name != v.Name))],
            Steps = [.. spec.Steps.Select(s => s with { Env = s.Env.Overlay(template.Env) })],
            Sidecars = [.. spec.Sidecars.Select(s => s with { Env = s.Env.Overlay(template.Env) })],
        };
    }

    /// <summary>
    /// Param values by name: given values win, then the task's defaults, then (for embedded
    /// specs) propagated values. Declared params with neither are a user mistake.
    /// </summary>
    public static ImmutableDictionary<string, ParamValue> ResolveParams(TaskRunInput input, TaskSpec spec)
    {
        var result = ImmutableDictionary.CreateBuilder<string, ParamValue>(StringComparer.Ordinal);
        if (input.Embedded)
        {
            result.AddRange(input.Propagated);
        }

        foreach (var p in spec.Params)
        {
            var given = input.Params.FirstOrDefault(x => x.Name == p.Name)?.Value;
            var value = given ?? p.Default;
            if (value is null)
            {
                if (input.Embedded && input.Propagated.TryGetValue(p.Name, out var propagated))
                {
                    value = propagated;
                }
                else
                {
                    throw new TaskResolutionException($"param '{p.Name}' of task '{input.PipelineTaskName ?? input.TaskName ?? input.TaskRunName}' has no default and no value was passed");
                }
            }

            if (given is not null && p.TypeDeclared && given.Type != p.Type)
            {
                throw new TaskResolutionException($"param '{p.Name}' of task '{input.PipelineTaskName ?? input.TaskName ?? input.TaskRunName}' is declared {p.Type.ToString().ToLowerInvariant()} but was given {given.Type.ToString().ToLowerInvariant()} value");
            }

            result[p.Name] = TaskSpecResolver.MergeObjectDefault(p, value);
        }

        // Params passed but not declared stay usable (an embedded spec may reference them).
        foreach (var p in input.Params.Where(p => spec.Params.All(d => d.Name != p.Name)))
        {
            result[p.Name] = p.Value;
        }

        return result.ToImmutable();
    }
}
