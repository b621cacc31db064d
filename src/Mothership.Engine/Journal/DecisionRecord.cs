using System.Collections.Immutable;

namespace Mothership.Engine.Journal;

/// <summary>
/// One decision of the driver: the <see cref="Events"/> applied since the previous decision,
/// then <c>PipelineRunScheduler.Next(state, Now)</c>. Written before the decision's actions are
/// carried out. For a standalone TaskRun, a decision record holds the attempt's outcome
/// (<see cref="TaskRunAttemptEnded"/>).
/// </summary>
public sealed record DecisionRecord(DateTimeOffset Now, ImmutableArray<JournalEvent> Events) : JournalRecord;
