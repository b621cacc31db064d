using System.Collections.Immutable;
using Mothership.Engine.Resolution;
using Mothership.Engine.Reuse;
using Mothership.Engine.Scheduling;
using Mothership.Model.Graph;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Preparation;

/// <summary>
/// Prepares a PipelineRun or TaskRun to start, the same way for <c>mship run</c>, the API and a
/// server resuming a run: the run named (<see cref="RunNames"/>), the inputs given at start
/// applied, its Pipeline or Task found (embedded, or referenced among the resources), its params
/// resolved against the declarations, its required workspaces checked and its DAG checked for a
/// cycle. A user mistake is a <see cref="TaskResolutionException"/> whose message says what to do.
/// </summary>
public static class RunPreparation
{
    /// <summary>The pipeline a PipelineRun runs: embedded, or the referenced Pipeline's; null when it names an unknown one.</summary>
    public static PipelineSpec? PipelineOf(PipelineRun run, ResourceSet resources)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(resources);
        return run.Spec.PipelineSpec ?? (run.Spec.PipelineRef?.Name is { } name ? resources.FindPipeline(name)?.Spec : null);
    }

    /// <summary>The task a TaskRun runs: embedded, or the referenced Task's; null when it names an unknown one.</summary>
    public static TaskSpec? TaskOf(TaskRun run, ResourceSet resources)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(resources);
        return run.Spec.TaskSpec ?? (run.Spec.TaskRef?.Name is { } name ? resources.FindTask(name)?.Spec : null);
    }

    /// <summary>Prepares <paramref name="run"/> (a PipelineRun or a TaskRun) with <paramref name="inputs"/> applied.</summary>
    public static PreparedRun Prepare(Resource run, ResourceSet resources, RunInputs? inputs = null) => run switch
    {
        PipelineRun pr => Prepare(pr, resources, inputs),
        TaskRun tr => Prepare(tr, resources, inputs),
        _ => throw new ArgumentException($"{run?.Kind} is not a run", nameof(run)),
    };

    /// <summary>
    /// Prepares a PipelineRun; the reused tasks of a rerun from the failure, stored as a document
    /// of its manifest (<see cref="ReuseDocument"/>), become <see cref="PreparedPipelineRun.Reuse"/>.
    /// </summary>
    public static PreparedPipelineRun Prepare(PipelineRun run, ResourceSet resources, RunInputs? inputs = null)
    {
        ArgumentNullException.ThrowIfNull(resources);
        ImmutableDictionary<string, ReusedTask> reuse;
        try
        {
            (reuse, resources) = ReuseDocument.Split(resources);
        }
        catch (FormatException e)
        {
            throw new TaskResolutionException(e.Message);
        }

        run = RunNames.Named(run);
        var (parameters, workspaces) = WithInputs(run.Spec.Params, run.Spec.Workspaces, inputs);
        run = run with { Spec = run.Spec with { Params = parameters, Workspaces = workspaces } };

        var spec = PipelineOf(run, resources)
            ?? throw new TaskResolutionException($"PipelineRun '{run.DisplayName}' references Pipeline '{run.Spec.PipelineRef?.Name}', which is not defined in the files given");
        var resolved = PipelineParams.Resolve(spec, run.Spec.Params, run.DisplayName);
        WorkspaceBindings.RequireBound(spec.Workspaces, run.Spec.Workspaces, $"PipelineRun '{run.DisplayName}'");
        var graph = PipelineGraph.Build(spec.Tasks);
        if (graph.Cycle is { } cycle)
        {
            throw new TaskResolutionException($"dependency cycle: {string.Join(" → ", cycle)}");
        }

        return new PreparedPipelineRun { Run = run, Spec = spec, Params = resolved, Graph = graph, Resources = resources, Reuse = reuse };
    }

    public static PreparedTaskRun Prepare(TaskRun run, ResourceSet resources, RunInputs? inputs = null)
    {
        run = RunNames.Named(run);
        var (parameters, workspaces) = WithInputs(run.Spec.Params, run.Spec.Workspaces, inputs);
        run = run with { Spec = run.Spec with { Params = parameters, Workspaces = workspaces } };

        var spec = TaskOf(run, resources)
            ?? throw new TaskResolutionException($"TaskRun '{run.DisplayName}' references Task '{run.Spec.TaskRef?.Name}', which is not defined in the files given");
        TaskRunBuilder.ResolveParams(new TaskRunInput
        {
            TaskRunName = run.Metadata.Name!,
            TaskRunUid = "",
            TaskName = run.Spec.TaskRef?.Name,
            Spec = spec,
            Embedded = run.Spec.TaskSpec is not null,
            Params = run.Spec.Params,
        }, spec);
        WorkspaceBindings.RequireBound(spec.Workspaces, run.Spec.Workspaces, $"TaskRun '{run.DisplayName}'");
        return new PreparedTaskRun { Run = run, Spec = spec, Timeout = Timeouts.OfTaskRun(run.Spec.Timeout), Resources = resources };
    }

    /// <summary>A run's params and workspaces with the inputs given at start, which win by name.</summary>
    private static (ImmutableArray<Param> Params, ImmutableArray<WorkspaceBinding> Workspaces) WithInputs(
        ImmutableArray<Param> parameters, ImmutableArray<WorkspaceBinding> workspaces, RunInputs? inputs) =>
        inputs is null ? (parameters, workspaces) : (Override(parameters, inputs.Params, p => p.Name), Override(workspaces, inputs.Workspaces, w => w.Name));

    private static ImmutableArray<T> Override<T>(ImmutableArray<T> given, ImmutableArray<T> overrides, Func<T, string> name) =>
        overrides.IsDefaultOrEmpty ? given : [.. given.Where(g => overrides.All(o => name(o) != name(g))), .. overrides];
}
