using Mothership.Engine.Execution;

namespace Mothership.Executors.Local;

/// <summary>
/// Runs a TaskRun attempt on this machine: one directory per attempt, each step a process (in
/// its own process group), bubblewrap for Tekton's paths and for the optional sandbox.
/// </summary>
public sealed class LocalTaskExecutor(LocalExecutorOptions options) : ITaskExecutor
{
    public LocalTaskExecutor()
        : this(new LocalExecutorOptions())
    {
    }

    public async Task<TaskRunOutcome> RunAsync(TaskRunRequest request, ITaskRunListener listener, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(listener);
        var time = options.TimeProvider;
        using var timeout = request.Timeout is { } t && t > TimeSpan.Zero
            ? new CancellationTokenSource(t, time)
            : new CancellationTokenSource();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var attempt = new AttemptRun(options, request, listener, stop.Token, cancellationToken);
        return await attempt.ExecuteAsync().ConfigureAwait(false);
    }
}
