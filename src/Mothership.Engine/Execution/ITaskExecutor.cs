namespace Mothership.Engine.Execution;

/// <summary>
/// Runs one TaskRun attempt: the steps of a resolved task spec, in order, with its workspaces.
/// Implemented by the local executor (processes) and the Kubernetes executor (one pod).
/// </summary>
public interface ITaskExecutor
{
    /// <summary>
    /// Runs the attempt to its end. Cancelling <paramref name="cancellationToken"/> stops it
    /// (SIGTERM, then SIGKILL after <see cref="TaskRunRequest.GracePeriod"/>) and returns a
    /// <see cref="TaskRunPhase.Cancelled"/> outcome; the executor enforces
    /// <see cref="TaskRunRequest.Timeout"/> itself and returns <see cref="TaskRunPhase.TimedOut"/>.
    /// User mistakes found while running (a missing ConfigMap key, a result too large) fail the
    /// attempt with a message; exceptions are only for infrastructure failures.
    /// </summary>
    Task<TaskRunOutcome> RunAsync(TaskRunRequest request, ITaskRunListener listener, CancellationToken cancellationToken);
}
