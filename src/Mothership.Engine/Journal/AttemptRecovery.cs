using System.Collections.Immutable;
using Mothership.Engine.Execution;
using Mothership.Engine.Running;

namespace Mothership.Engine.Journal;

/// <summary>
/// The recovery rule for attempts that were in flight when the previous owner of a run died: the
/// steps that had finished are not run again, the step that was running runs again from its
/// start, the attempt keeps its retry count (a crash does not use up a retry) and gets only the
/// timeout it had left. The host kills what the dead owner left running first
/// (<see cref="IOrphanCleanup"/>) and drops the partial logs of the steps that run again.
/// </summary>
public static class AttemptRecovery
{
    /// <summary>The request of an attempt resumed at <paramref name="now"/> after a crash.</summary>
    public static TaskRunRequest Resume(TaskRunRequest request, ImmutableArray<StepState> finished, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        // The executor counts the timeout from its call.
        var timeout = request.Timeout;
        if (timeout is { } t && finished.Select(s => s.StartedAt).Min() is { } began)
        {
            var left = t - (now - began);
            timeout = left > TimeSpan.FromMilliseconds(1) ? left : TimeSpan.FromMilliseconds(1);
        }

        return request with { FinishedSteps = finished, Timeout = timeout };
    }

    /// <summary>Where a standalone TaskRun stood, from its journal: the attempts that ended and the finished steps of the next one.</summary>
    public static TaskRunResume ReplayTaskRun(IReadOnlyList<JournalRecord> journal)
    {
        ArgumentNullException.ThrowIfNull(journal);
        var attempts = journal.OfType<DecisionRecord>().SelectMany(d => d.Events).OfType<TaskRunAttemptEnded>().OrderBy(a => a.RetryCount).Select(a => a.Outcome).ToImmutableArray();
        var finished = journal.OfType<StepRecord>().Where(s => s.RetryCount == attempts.Length).Select(s => s.Step).DistinctBy(s => s.Container).ToImmutableArray();
        return new TaskRunResume(attempts, finished);
    }
}
