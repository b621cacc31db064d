using Mothership.Engine.Execution;

namespace Mothership.Engine.Scheduling;

/// <summary>Start (or retry) one TaskRun attempt.</summary>
public sealed record StartAttempt(string PipelineTask, int ChildIndex, TaskRunRequest Request) : SchedulerAction(PipelineTask, ChildIndex);
