using Mothership.Engine.Execution;
using Mothership.Executors.Local.Attempts;
using Mothership.Executors.Local.Processes;
using Mothership.Executors.Local.Workspaces;

namespace Mothership.Executors.Local;

/// <summary>
/// Runs a TaskRun attempt on this machine: one directory per attempt, each step a process (in
/// its own process group), bubblewrap for Tekton's paths and for the optional sandbox.
/// </summary>
public sealed class LocalTaskExecutor(LocalExecutorOptions options) : ITaskExecutor, IOrphanCleanup, IRunCleanup
{
    private readonly SpareAttempts _spares = new();

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
        var attempt = new AttemptRun(options, request, listener, stop.Token, cancellationToken, _spares);
        return await attempt.ExecuteAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Kills (SIGKILL) what is left of one attempt on this machine: every process whose
    /// environment carries <c>MOTHERSHIP_ATTEMPT=&lt;taskRunUid&gt;/&lt;retryCount&gt;</c>, which
    /// each step and sidecar of the attempt gets and its children inherit, even those that left
    /// the step's session. Call it before resuming or retrying an attempt whose server died:
    /// steps run in their own sessions and outlive it. Returns how many processes were signalled.
    /// </summary>
    /// <remarks>
    /// Scans <c>/proc/*/environ</c>; processes of other users (unreadable) are skipped, and so is
    /// the calling process, even if it carries the marker. A process that cleared its environment
    /// (<c>env -i</c>) is not found. Running steps of the attempt are killed too: do not call it
    /// while this executor still runs the attempt.
    /// </remarks>
    public int CleanUpOrphans(string taskRunUid, int retryCount)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskRunUid);
        return AttemptProcesses.Kill(taskRunUid, retryCount);
    }

    /// <summary>
    /// The runs whose folders this instance made under its root (<see cref="LocalExecutorOptions.Instance"/>).
    /// Folders of ended runs that an earlier process of the instance kept (<see cref="LocalExecutorOptions.ReuseRunFolders"/>) are removed here.
    /// </summary>
    public Task<IReadOnlySet<string>> ListHoldingRunsAsync(CancellationToken cancellationToken)
    {
        _spares.RemoveStaleRuns(options.Root, options.Instance);
        return Task.FromResult(RunDirectories.List(options.Root, options.Instance));
    }

    /// <summary>
    /// Removes a run's folder: its attempts' directories (Secret files, results, scripts) and its
    /// <c>volumeClaimTemplate</c> claims. Logs and results are in the store by then. Claims named by
    /// <c>persistentVolumeClaim</c> and host directories bound to workspaces live elsewhere and stay.
    /// With <see cref="LocalExecutorOptions.ReuseRunFolders"/> a folder that holds nothing but bare
    /// attempt directories is kept for a next run instead.
    /// </summary>
    public Task<int> ReleaseRunAsync(string runUid, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(runUid);
        var folder = RunDirectories.PathOf(options.Root, runUid);
        if (options.ReuseRunFolders && RunDirectories.IsRunFolder(folder, runUid) && _spares.TryPoolRun(folder))
        {
            return Task.FromResult(1);
        }

        _spares.Forget(folder);
        return Task.FromResult(RunDirectories.Delete(options.Root, runUid) ? 1 : 0);
    }
}
