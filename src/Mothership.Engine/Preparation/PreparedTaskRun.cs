using Mothership.Model.Tekton;

namespace Mothership.Engine.Preparation;

/// <summary>A standalone TaskRun ready to start (<see cref="RunPreparation"/>).</summary>
public sealed record PreparedTaskRun : PreparedRun
{
    public required TaskRun Run { get; init; }

    /// <summary>The task it runs: embedded, or the referenced Task's.</summary>
    public required TaskSpec Spec { get; init; }

    /// <summary>Each attempt's timeout: the run's <c>timeout</c>, one hour when not written, null for none.</summary>
    public TimeSpan? Timeout { get; init; }

    public override Resource Resource => Run;
}
