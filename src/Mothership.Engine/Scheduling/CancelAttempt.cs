
namespace Mothership.Engine.Scheduling;

/// <summary>Cancel a running attempt; <see cref="Reason"/> is Tekton's TaskRun message.</summary>
public sealed record CancelAttempt(string PipelineTask, int ChildIndex, string Reason) : SchedulerAction(PipelineTask, ChildIndex);
