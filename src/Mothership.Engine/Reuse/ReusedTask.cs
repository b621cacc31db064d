using System.Collections.Immutable;

namespace Mothership.Engine.Reuse;

/// <summary>A pipeline task that succeeded in an earlier run, with its TaskRuns (one per matrix combination), for <see cref="TaskReuse"/>.</summary>
public sealed record ReusedTask
{
    public required string PipelineTask { get; init; }

    public required ImmutableArray<ReusedTaskRun> TaskRuns { get; init; }
}
