using Mothership.Engine.Execution;

namespace Mothership.Engine.Journal;

/// <summary>An attempt of a standalone TaskRun ended (its retry count).</summary>
public sealed record TaskRunAttemptEnded(int RetryCount, TaskRunOutcome Outcome) : JournalEvent;
