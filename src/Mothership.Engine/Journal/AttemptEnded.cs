using Mothership.Engine.Execution;

namespace Mothership.Engine.Journal;

/// <summary>An attempt of a pipeline task's TaskRun ended (the pipeline task and its matrix child index).</summary>
public sealed record AttemptEnded(string PipelineTask, int ChildIndex, TaskRunOutcome Outcome) : JournalEvent;
