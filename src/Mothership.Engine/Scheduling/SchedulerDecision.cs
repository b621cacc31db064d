using System.Collections.Immutable;

namespace Mothership.Engine.Scheduling;

/// <summary>The new state and what to do now.</summary>
public sealed record SchedulerDecision(PipelineRunState State, ImmutableArray<SchedulerAction> Actions);
