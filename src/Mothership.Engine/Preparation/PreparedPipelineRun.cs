using System.Collections.Immutable;
using Mothership.Engine.Reuse;
using Mothership.Engine.Scheduling;
using Mothership.Model.Graph;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Preparation;

/// <summary>A PipelineRun ready to start (<see cref="RunPreparation"/>).</summary>
public sealed record PreparedPipelineRun : PreparedRun
{
    public required PipelineRun Run { get; init; }

    /// <summary>The pipeline it runs: embedded, or the referenced Pipeline's.</summary>
    public required PipelineSpec Spec { get; init; }

    /// <summary>Its params: given values over the pipeline's defaults.</summary>
    public required ImmutableDictionary<string, ParamValue> Params { get; init; }

    /// <summary>The pipeline's DAG, without a cycle.</summary>
    public required PipelineGraph Graph { get; init; }

    /// <summary>For a rerun from the failure, the earlier run's tasks it reuses (<see cref="TaskReuse"/>); empty otherwise.</summary>
    public ImmutableDictionary<string, ReusedTask> Reuse { get; init; } = ImmutableDictionary<string, ReusedTask>.Empty;

    public override Resource Resource => Run;

    /// <summary>The scheduler's initial state of the run, started at <paramref name="now"/>.</summary>
    public PipelineRunState Start(string uid, DateTimeOffset now) =>
        PipelineRunScheduler.Start(Run, Spec, Params, Resources, uid, now, Graph) with { Reuse = Reuse };
}
