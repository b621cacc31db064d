using System.Collections.Immutable;
using Mothership.Engine.Execution;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Running;

/// <summary>A finished standalone TaskRun: every attempt, the last one deciding the status.</summary>
public sealed record TaskRunResult(TaskRun Run, string Uid, TaskSpec Spec, ImmutableArray<TaskRunOutcome> Attempts)
{
    public TaskRunOutcome Last => Attempts[^1];
}
