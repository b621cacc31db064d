using System.Collections.Immutable;
using Mothership.Engine.Execution;

namespace Mothership.Engine.Journal;

/// <summary>
/// One persisted step of a run. A run's journal is the list of its records in order; replaying
/// it through the pure scheduler (<see cref="RunReplay"/>) rebuilds the exact state the run had,
/// so a server that crashed can continue every run where it stopped.
/// </summary>
public abstract record JournalRecord;

/// <summary>
/// One decision of the driver: the <see cref="Events"/> applied since the previous decision,
/// then <c>PipelineRunScheduler.Next(state, Now)</c>. Written before the decision's actions are
/// carried out. For a standalone TaskRun, a decision record holds the attempt's outcome
/// (<see cref="TaskRunAttemptEnded"/>).
/// </summary>
public sealed record DecisionRecord(DateTimeOffset Now, ImmutableArray<JournalEvent> Events) : JournalRecord;

/// <summary>
/// A step of a TaskRun attempt that ran to its end. Not a scheduler input: after a crash it
/// tells the executor which steps of an in-flight attempt must not run again.
/// </summary>
public sealed record StepRecord(string TaskRunUid, int RetryCount, StepState Step) : JournalRecord;

/// <summary>Something that changed a run's state between two decisions.</summary>
public abstract record JournalEvent;

/// <summary>An attempt of a pipeline task's TaskRun ended (the pipeline task and its matrix child index).</summary>
public sealed record AttemptEnded(string PipelineTask, int ChildIndex, TaskRunOutcome Outcome) : JournalEvent;

/// <summary>An attempt of a standalone TaskRun ended (its retry count).</summary>
public sealed record TaskRunAttemptEnded(int RetryCount, TaskRunOutcome Outcome) : JournalEvent;

/// <summary>Someone asked the run to stop: <c>Cancelled</c>, <c>CancelledRunFinally</c> or <c>StoppedRunFinally</c>.</summary>
public sealed record CancelRequested(string Request) : JournalEvent;
