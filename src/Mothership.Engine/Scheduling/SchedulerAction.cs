
namespace Mothership.Engine.Scheduling;

/// <summary>Something the driver must do after a scheduling decision.</summary>
public abstract record SchedulerAction(string PipelineTask, int ChildIndex);
