using System.Collections.Immutable;
using Mothership.Engine.Execution;

namespace Mothership.Engine.Running;

/// <summary>Where a standalone TaskRun stood when its server stopped: the attempts that ended, and the finished steps of the next one.</summary>
public sealed record TaskRunResume(ImmutableArray<TaskRunOutcome> Attempts, ImmutableArray<StepState> FinishedSteps);
