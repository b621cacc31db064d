using Mothership.Engine.Execution;

namespace Mothership.Engine.Running;

/// <summary>
/// Runs one attempt on an executor the same way for a pipeline task and a standalone TaskRun:
/// it waits for the host's slot, an attempt cancelled while it waited never runs (Cancelled), and
/// an executor that throws (a Kubernetes API error, a bug) fails the attempt with the reason
/// rather than the run or the process.
/// </summary>
public static class AttemptExecution
{
    public static async Task<TaskRunOutcome> RunAsync(ITaskExecutor executor, TaskRunRequest request, ITaskRunListener listener,
        IAttemptGate? gate, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(executor);
        ArgumentNullException.ThrowIfNull(time);
        var begin = time.GetUtcNow();
        IDisposable? slot = null;
        try
        {
            if (gate is not null)
            {
                slot = await gate.AcquireAsync(request, cancellationToken).ConfigureAwait(false);
                begin = time.GetUtcNow();
            }

            return await executor.RunAsync(request, listener, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Cancelled while it waited for a slot: the attempt never ran.
            var now = time.GetUtcNow();
            return new TaskRunOutcome { Phase = TaskRunPhase.Cancelled, Message = AttemptMessages.CancelledBeforeStart, StartTime = now, CompletionTime = now };
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new TaskRunOutcome
            {
                Phase = cancellationToken.IsCancellationRequested ? TaskRunPhase.Cancelled : TaskRunPhase.Failed,
                Message = AttemptMessages.ExecutorError(e),
                StartTime = begin,
                CompletionTime = time.GetUtcNow(),
            };
        }
        finally
        {
            slot?.Dispose();
        }
    }
}
