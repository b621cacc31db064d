using System.Collections.Immutable;
using Mothership.Engine.Execution;
using Mothership.Engine.Scheduling;

namespace Mothership.Engine.Journal;

/// <summary>What a replayed journal says: the state, and what was in flight when it stopped.</summary>
public sealed record ReplayResult
{
    public required PipelineRunState State { get; init; }

    /// <summary>Attempts that were started (or queued for a slot) and never ended: the driver starts them again.</summary>
    public ImmutableArray<StartAttempt> InFlight { get; init; } = [];

    /// <summary>Cancels sent to in-flight attempts that had not ended yet.</summary>
    public ImmutableArray<CancelAttempt> PendingCancels { get; init; } = [];

    /// <summary>Steps that ran to their end, per (TaskRun uid, retry count).</summary>
    public ImmutableDictionary<(string TaskRunUid, int Retry), ImmutableArray<StepState>> FinishedSteps { get; init; } =
        ImmutableDictionary<(string, int), ImmutableArray<StepState>>.Empty;

    /// <summary>The number of records read: the sequence number of the next one.</summary>
    public long NextSeq { get; init; }
}

/// <summary>
/// Rebuilds a PipelineRun's state from its journal. The scheduler is a pure function of its
/// inputs and every input (the events and the clock of each decision) is in the journal, so the
/// replayed state is the state the run had when its last record was written.
/// </summary>
public static class RunReplay
{
    /// <summary>Applies one event to the state, as the driver does when it happens.</summary>
    public static PipelineRunState Apply(PipelineRunState state, JournalEvent e) => e switch
    {
        AttemptEnded a => PipelineRunScheduler.Record(state, a.PipelineTask, a.ChildIndex, a.Outcome),
        CancelRequested c => PipelineRunScheduler.RequestCancel(state, c.Request),
        _ => throw new ArgumentException($"unknown journal event {e.GetType().Name}", nameof(e)),
    };

    /// <summary>
    /// Replays <paramref name="records"/>; <paramref name="start"/> makes the initial state from
    /// the time of the first decision (the run's start). Null when no decision was recorded yet.
    /// </summary>
    public static ReplayResult? Replay(Func<DateTimeOffset, PipelineRunState> start, IReadOnlyList<JournalRecord> records)
    {
        PipelineRunState? state = null;
        var inFlight = new Dictionary<(string, int), (long Order, StartAttempt Start)>();
        long order = 0;
        var cancels = new Dictionary<(string, int), CancelAttempt>();
        var steps = new Dictionary<(string, int), ImmutableArray<StepState>>();
        foreach (var record in records)
        {
            switch (record)
            {
                case StepRecord s:
                    var key = (s.TaskRunUid, s.RetryCount);
                    // A resumed attempt reports its finished steps again: keep each step once, in order.
                    steps[key] = !steps.TryGetValue(key, out var list) ? [s.Step]
                        : list.Any(x => x.Container == s.Step.Container) ? list : list.Add(s.Step);
                    break;
                case DecisionRecord d:
                    state ??= start(d.Now);
                    foreach (var e in d.Events)
                    {
                        state = Apply(state, e);
                        if (e is AttemptEnded a)
                        {
                            inFlight.Remove((a.PipelineTask, a.ChildIndex));
                            cancels.Remove((a.PipelineTask, a.ChildIndex));
                        }
                    }

                    var decision = PipelineRunScheduler.Next(state, d.Now);
                    state = decision.State;
                    foreach (var action in decision.Actions)
                    {
                        var k = (action.PipelineTask, action.ChildIndex);
                        if (action is StartAttempt startAttempt)
                        {
                            inFlight[k] = (order++, startAttempt);
                        }
                        else if (action is CancelAttempt cancel && inFlight.ContainsKey(k))
                        {
                            cancels[k] = cancel;
                        }
                    }

                    break;
            }
        }

        if (state is null)
        {
            return null;
        }

        // Keep only the steps of attempts still in flight; the order of a list is the steps' order.
        var wanted = inFlight.Values.Select(a => (a.Start.Request.TaskRunUid, a.Start.Request.RetryCount)).ToHashSet();
        return new ReplayResult
        {
            State = state,
            InFlight = [.. inFlight.Values.OrderBy(a => a.Order).Select(a => a.Start)],
            PendingCancels = [.. cancels.Values],
            FinishedSteps = steps.Where(kv => wanted.Contains(kv.Key)).ToImmutableDictionary(kv => kv.Key, kv => kv.Value),
            NextSeq = records.Count,
        };
    }
}
