using System.Collections.Frozen;
using System.Collections.Immutable;

namespace Mothership.Engine.Scheduling;

/// <summary>
/// What the scheduler keeps beside a state's tasks so that a decision costs what changed since
/// the last one, not the size of the pipeline: a 500-task run makes about a thousand decisions,
/// and scanning every task in each of them cost more than the no-op steps themselves.
/// </summary>
/// <remarks>
/// Derived data only: <see cref="Build"/> recomputes it from the tasks (a state read back from
/// storage has none), and <see cref="Update"/> keeps it in step with each task change, which
/// goes through the scheduler. Invariant: every pending DAG task whose parents are all done is
/// in <see cref="Candidates"/> (a task is added when one of its parents becomes done and dropped
/// when it is found still waiting or leaves the pending phase).
/// </remarks>
internal sealed record SchedulerIndex
{
    /// <summary>Each DAG task's position in <see cref="PipelineRunState.Graph"/>'s order, shared by every state of a run.</summary>
    public required FrozenDictionary<string, int> Position { get; init; }

    /// <summary>Positions of pending DAG tasks that may be ready, in the graph's order.</summary>
    public required ImmutableSortedSet<int> Candidates { get; init; }

    /// <summary>Tasks in phase <see cref="TaskPhase.Running"/>.</summary>
    public required ImmutableHashSet<string> Running { get; init; }

    /// <summary>Tasks with an attempt recorded since the scheduler last settled them.</summary>
    public required ImmutableHashSet<string> Recorded { get; init; }

    /// <summary>DAG tasks still pending.</summary>
    public required int DagPending { get; init; }

    /// <summary>DAG tasks not done yet.</summary>
    public required int DagOpen { get; init; }

    /// <summary>Finally tasks not done yet.</summary>
    public required int FinallyOpen { get; init; }

    /// <summary>DAG tasks that failed without <c>onError: continue</c>: the run is stopping.</summary>
    public required int DagFailures { get; init; }

    public static SchedulerIndex Build(PipelineRunState s)
    {
        var position = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < s.Graph.Order.Length; i++)
        {
            position[s.Graph.Order[i]] = i;
        }

        var candidates = ImmutableSortedSet.CreateBuilder<int>();
        var running = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
        var recorded = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
        int dagPending = 0, dagOpen = 0, finallyOpen = 0, dagFailures = 0;
        foreach (var t in s.Tasks.Values)
        {
            if (t.Phase == TaskPhase.Running)
            {
                running.Add(t.Name);

                // A state built without an index may hold outcomes not settled yet.
                recorded.Add(t.Name);
            }

            if (t.IsFinally)
            {
                finallyOpen += t.Done ? 0 : 1;
                continue;
            }

            dagOpen += t.Done ? 0 : 1;
            dagPending += t.Phase == TaskPhase.Pending ? 1 : 0;
            dagFailures += Stops(t) ? 1 : 0;
            if (t.Phase == TaskPhase.Pending && position.TryGetValue(t.Name, out var p) &&
                s.Graph.Parents.GetValueOrDefault(t.Name, []).All(parent => s.Tasks.TryGetValue(parent, out var pt) && pt.Done))
            {
                candidates.Add(p);
            }
        }

        return new SchedulerIndex
        {
            Position = position.ToFrozenDictionary(StringComparer.Ordinal),
            Candidates = candidates.ToImmutable(),
            Running = running.ToImmutable(),
            Recorded = recorded.ToImmutable(),
            DagPending = dagPending,
            DagOpen = dagOpen,
            FinallyOpen = finallyOpen,
            DagFailures = dagFailures,
        };
    }

    /// <summary>The index after <paramref name="old"/> became <paramref name="updated"/> in <paramref name="s"/>.</summary>
    public SchedulerIndex Update(PipelineRunState s, PipelineTaskState old, PipelineTaskState updated)
    {
        if (old.Phase == updated.Phase)
        {
            return this;
        }

        var name = updated.Name;
        var running = Running;
        if (old.Phase == TaskPhase.Running)
        {
            running = running.Remove(name);
        }
        else if (updated.Phase == TaskPhase.Running)
        {
            running = running.Add(name);
        }

        var opened = (old.Done ? 0 : 1) - (updated.Done ? 0 : 1);
        if (updated.IsFinally)
        {
            return this with { Running = running, FinallyOpen = FinallyOpen - opened };
        }

        var candidates = Candidates;
        if (old.Phase == TaskPhase.Pending && Position.TryGetValue(name, out var own))
        {
            candidates = candidates.Remove(own);
        }

        if (!old.Done && updated.Done)
        {
            foreach (var child in s.Graph.Children.GetValueOrDefault(name, []))
            {
                if (Position.TryGetValue(child, out var p))
                {
                    candidates = candidates.Add(p);
                }
            }
        }

        return this with
        {
            Running = running,
            Candidates = candidates,
            DagOpen = DagOpen - opened,
            DagPending = DagPending - (old.Phase == TaskPhase.Pending ? 1 : 0) + (updated.Phase == TaskPhase.Pending ? 1 : 0),
            DagFailures = DagFailures - (Stops(old) ? 1 : 0) + (Stops(updated) ? 1 : 0),
        };
    }

    private static bool Stops(PipelineTaskState t) => !t.IsFinally && t.Phase == TaskPhase.Failed && !t.FailureIgnored;
}
