namespace Mothership.Engine.Execution;

/// <summary>
/// An executor that leaves things behind in a cluster beyond one attempt: the claims made from a
/// workspace's <c>volumeClaimTemplate</c> live as long as their run (Tekton makes the PipelineRun
/// their owner, for Kubernetes' garbage collector), and the pods of a server that died stay
/// where they are. Whoever drives a run releases its things when the run has ended; a server
/// also sweeps, at its start and every so often, what belongs to runs that ended or are gone.
/// </summary>
public interface IRunCleanup
{
    /// <summary>The uids of the runs (PipelineRun, or standalone TaskRun) that have something of theirs in the cluster now.</summary>
    Task<IReadOnlySet<string>> ListHoldingRunsAsync(CancellationToken cancellationToken);

    /// <summary>Deletes everything the executor made for run <paramref name="runUid"/>; how many objects it deleted.</summary>
    Task<int> ReleaseRunAsync(string runUid, CancellationToken cancellationToken);
}
