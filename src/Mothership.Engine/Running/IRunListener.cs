using Mothership.Engine.Execution;
using Mothership.Engine.Journal;
using Mothership.Engine.Scheduling;

namespace Mothership.Engine.Running;

/// <summary>Hears about a run's progress, e.g. to persist or print it.</summary>
public interface IRunListener : ITaskRunListener
{
    /// <summary>
    /// Called after every decision, before any of its actions is carried out, with the new
    /// (immutable) state and the journal record that reproduces it. A store persists the record
    /// here; an exception stops the run (e.g. the server lost its lease on it).
    /// </summary>
    ValueTask OnDecisionAsync(PipelineRunState state, DecisionRecord record, CancellationToken cancellationToken);
}
