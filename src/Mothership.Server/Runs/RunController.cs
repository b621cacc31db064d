using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mothership.Engine.Execution;
using Mothership.Model.Tekton.Vocabulary;
using Mothership.Server.Hosting;
using Mothership.Server.Api;
using Mothership.Server.Observability;
using Mothership.Server.Watching;
using Mothership.Store;

namespace Mothership.Server.Runs;

/// <summary>
/// Claims queued runs (and runs whose owner's lease expired) from the store, drives each with a
/// <see cref="RunSupervisor"/>, renews its leases, and delivers cancel requests. Several replicas
/// on one PostgreSQL share the work through leases alone: no other coordinator.
/// </summary>
internal sealed partial class RunController(
    IRunStore store, ITaskExecutor executor, FairAttemptGate gate, RunLeftovers leftovers, IOptions<ServerOptions> options, TimeProvider time,
    ServerMetrics metrics, ILogger<RunController> logger, ILogger<RunSupervisor> supervisorLogger, RunWatchHub? watches = null, RunLogHub? logs = null, RunGraphCache? graphs = null) : BackgroundService
{
    private readonly ConcurrentDictionary<string, (RunSupervisor Supervisor, Task Task, CancellationTokenSource Stop)> _active = new();
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);

    /// <summary>This replica's name in leases.</summary>
    public string Owner { get; } = options.Value.ReplicaId ?? $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>How a claimed run's work is started: on the thread pool. Tests run it inline.</summary>
    internal Func<Func<Task>, Task> StartWork { get; init; } = work => Task.Run(work);

    /// <summary>How a supervisor drives its run. Tests replace it.</summary>
    internal Func<RunSupervisor, CancellationToken, Task> Drive { get; init; } = (supervisor, ct) => supervisor.RunAsync(ct);

    /// <summary>The runs this replica drives now.</summary>
    internal int ActiveRuns => _active.Count;

    /// <summary>Looks for work now rather than at the next poll (a run was just created here).</summary>
    public void Wake() => _wake.Release();

    /// <summary>
    /// Asks for <paramref name="run"/> to be cancelled with <paramref name="request"/> (one of
    /// <c>SpecStatus.CancelRequests</c>): recorded in the store for whichever replica drives it,
    /// passed on at once when it is this one. False when the run had finished.
    /// </summary>
    public async Task<bool> CancelAsync(RunSummary run, string request, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Phase == RunPhase.Finished || !await store.RequestCancelAsync(run.Uid, request, actor, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        if (run.Phase == RunPhase.Pending)
        {
            // Nobody drives a pending run: queue it, and its first owner finds the cancel request
            // and ends it at once (Tekton cancels a pending PipelineRun without starting tasks).
            await store.ReleasePendingAsync(run.Uid, actor, cancellationToken).ConfigureAwait(false);
            Wake();
        }

        TryCancel(run.Uid, request);
        return true;
    }

    /// <summary>Passes a cancel request to the run's supervisor when this replica drives it.</summary>
    private bool TryCancel(string uid, string request)
    {
        if (_active.TryGetValue(uid, out var a))
        {
            a.Supervisor.RequestCancel(request);
            return true;
        }

        return false;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        // When the leases were last renewed: due at once, then once per poll interval.
        var lastRenew = DateTimeOffset.MinValue;
        var started = time.GetUtcNow();
        var released = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!released)
                {
                    // A previous process with our replica id died: its runs are ours to resume now.
                    var count = await store.ReleaseOwnerAsync(Owner, stoppingToken).ConfigureAwait(false);
                    released = true;
                    if (count > 0)
                    {
                        LogResuming(logger, count);
                    }
                }

                metrics.QueueDepth.Set(gate.QueueDepth);
                metrics.RunningAttempts.Set(gate.Running);
                // Leases and other replicas' cancel requests once per poll interval, not on every
                // wake: a busy server is woken by every run created and every run ended, and
                // renewing all its leases each time made those writes most of its store traffic.
                if (time.GetUtcNow() - lastRenew >= o.PollInterval)
                {
                    await RenewAsync(o, stoppingToken).ConfigureAwait(false);
                    await DeliverCancelsAsync(stoppingToken).ConfigureAwait(false);
                    lastRenew = time.GetUtcNow();
                }

                var room = o.MaxActiveRuns - _active.Count;
                if (room > 0)
                {
                    foreach (var claimed in await store.ClaimRunsAsync(Owner, room, o.LeaseDuration, time.GetUtcNow(), stoppingToken).ConfigureAwait(false))
                    {
                        Start(claimed);
                    }
                }
            }
            catch (StoreUnavailableException e)
            {
                LogStoreUnavailable(logger, e.Message);
                if (time.GetUtcNow() - (lastRenew == DateTimeOffset.MinValue ? started : lastRenew) > o.LeaseDuration)
                {
                    // Our leases have expired by now: another replica may own these runs. Stop them.
                    StopAll();
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            try
            {
                await _wake.WaitAsync(o.PollInterval, stoppingToken).ConfigureAwait(false);
                // Wakes that came meanwhile (a burst of creates, many runs ending) are answered by
                // this one pass: the claim below sees every run they were about.
                while (_wake.Wait(0))
                {
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        // Shutdown: stop every run (their processes too), then hand them back at once.
        var stopping = _active.ToArray();
        StopAll();
        await Task.WhenAll(stopping.Select(a => a.Value.Task)).ConfigureAwait(false);
        foreach (var (uid, _) in stopping)
        {
            try
            {
                await store.ReleaseLeaseAsync(uid, Owner, CancellationToken.None).ConfigureAwait(false);
            }
            catch (StoreUnavailableException)
            {
                // The lease expires on its own; another replica takes over then.
            }
        }
    }

    private void Start(ClaimedRun claimed)
    {
        var record = claimed.Run;
        if (claimed.PreviousOwner is { } previous && previous != Owner)
        {
            LogTakeover(logger, record.Name, previous);
        }

        var supervisor = new RunSupervisor(store, executor, gate, leftovers, time, metrics, supervisorLogger) { Record = record, Owner = Owner, PreviousOwner = claimed.PreviousOwner, Stored = watches is null ? null : watches.Notify, LogsStored = logs is null ? null : logs.Notify, Graphs = graphs };
        var stop = new CancellationTokenSource();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // In _active before the work starts: a run that ends at once must not leave its entry
        // behind, where it would hold one of MaxActiveRuns for good.
        _active[record.Uid] = (supervisor, done.Task, stop);
        _ = StartWork(async () =>
        {
            try
            {
                await Drive(supervisor, stop.Token).ConfigureAwait(false);
            }
            catch (StoreUnavailableException e)
            {
                LogStoreUnavailable(logger, e.Message);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogRunCrashed(logger, e, record.Name);
                try
                {
                    await supervisor.FailUnreadableAsync($"the server failed to drive this run: {e.GetType().Name}: {e.Message}", CancellationToken.None, PipelineRunReason.InternalError)
                        .ConfigureAwait(false);
                }
                catch (StoreUnavailableException)
                {
                    // Claimed again once the database is back, and failed then.
                }
            }
            finally
            {
                _active.TryRemove(record.Uid, out _);
                stop.Dispose();
                done.TrySetResult();
                Wake();
            }
        });
    }

    private async Task RenewAsync(ServerOptions o, CancellationToken cancellationToken)
    {
        if (_active.IsEmpty)
        {
            return;
        }

        var held = (await store.RenewLeasesAsync(Owner, [.. _active.Keys], o.LeaseDuration, time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
            .ToHashSet(StringComparer.Ordinal);
        foreach (var (uid, a) in _active)
        {
            if (!held.Contains(uid) && !a.Task.IsCompleted)
            {
                LogLeaseLost(logger, a.Supervisor.Record.Name);
                a.Stop.Cancel();
            }
        }
    }

    private async Task DeliverCancelsAsync(CancellationToken cancellationToken)
    {
        if (_active.IsEmpty)
        {
            return;
        }

        foreach (var (uid, request) in await store.ListCancelRequestsAsync(Owner, cancellationToken).ConfigureAwait(false))
        {
            TryCancel(uid, request);
        }
    }

    private void StopAll()
    {
        foreach (var a in _active.Values)
        {
            try
            {
                a.Stop.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Finished meanwhile.
            }
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Store unavailable: {Message}")]
    private static partial void LogStoreUnavailable(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming {Count} run(s) a previous process with this replica id was driving")]
    private static partial void LogResuming(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Took over run {Run} from {PreviousOwner}, whose lease expired")]
    private static partial void LogTakeover(ILogger logger, string run, string previousOwner);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the lease on run {Run}; stopping it here")]
    private static partial void LogLeaseLost(ILogger logger, string run);

    [LoggerMessage(Level = LogLevel.Error, Message = "Run {Run} stopped on an unexpected error")]
    private static partial void LogRunCrashed(ILogger logger, Exception exception, string run);
}
