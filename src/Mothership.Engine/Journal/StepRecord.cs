using Mothership.Engine.Execution;

namespace Mothership.Engine.Journal;

/// <summary>
/// A step of a TaskRun attempt that ran to its end. Not a scheduler input: after a crash it
/// tells the executor which steps of an in-flight attempt must not run again.
/// </summary>
public sealed record StepRecord(string TaskRunUid, int RetryCount, StepState Step) : JournalRecord;
