using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Mothership.Engine.Execution;
using Mothership.Engine.Journal;
using Mothership.Engine.Preparation;
using Mothership.Engine.Resolution;
using Mothership.Engine.Running;
using Mothership.Engine.Status;
using Mothership.Model.Tekton;
using Mothership.Model.Tekton.Vocabulary;
using Mothership.Server.Api;
using Mothership.Server.Observability;
using Mothership.Store;

namespace Mothership.Server.Runs;

/// <summary>
/// Drives one claimed run to its end on this replica: the run's lease, journal and events. It
/// rebuilds the run from its manifest (<see cref="RunPreparation"/>), replays its journal
/// (<see cref="RunReplay"/>, <see cref="AttemptRecovery"/>), cleans up after a crashed owner
/// (<see cref="CrashRecovery"/>) and lets the engine's drivers continue, persisting through a
/// <see cref="JournalingListener"/>.
/// </summary>
internal sealed partial class RunSupervisor(
    IRunStore store, ITaskExecutor executor, IAttemptGate gate, RunLeftovers leftovers, TimeProvider time, ServerMetrics metrics, ILogger<RunSupervisor> logger)
{
    private readonly CancellationTokenSource _userCancel = new();
    private PipelineRunDriver? _driver;
    private string? _cancelRequest;

    public required RunRecord Record { get; init; }

    public required string Owner { get; init; }

    /// <summary>Called with the run's uid after each change is stored (the run's watchers read it then).</summary>
    public Action<string>? Stored { get; init; }

    /// <summary>Called with the run's uid after log lines or its end are stored (its log followers read then).</summary>
    public Action<string>? LogsStored { get; init; }

    /// <summary>The graphs this replica serves: a PipelineRun's graph is built here from each object it writes.</summary>
    public RunGraphCache? Graphs { get; init; }

    /// <summary>Who held the run's lease before this replica claimed it; null for a fresh run.</summary>
    public string? PreviousOwner { get; init; }

    /// <summary>Why the run is being resumed, for its event: another server stopped, or this one lost its lease (its database was unreachable longer than the lease).</summary>
    private string ResumedBecause => PreviousOwner is null || PreviousOwner == Owner
        ? "after its lease lapsed on this server (the database was unreachable, or the server restarted)"
        : $"after its previous server ({PreviousOwner}) stopped renewing its lease";

    private RunTransitions Transitions => new(Record, Owner, time);

    /// <summary>What the run's objects and events never show (<see cref="RunSecrets"/>); set once its manifest is read.</summary>
    private SecretMasker _secrets = new();

    /// <summary>Delivers a cancel request from the API (also journaled, so it survives a crash).</summary>
    public void RequestCancel(string request)
    {
        if (_cancelRequest is not null && _cancelRequest == request)
        {
            return;
        }

        _cancelRequest = request;
        if (_driver is { } d)
        {
            d.RequestCancel(request);
        }
        else if (Record.Kind == nameof(TaskRun))
        {
            _userCancel.Cancel();
        }
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        var manifest = RunManifest.Load(Record);
        if (manifest.Errors.Count > 0)
        {
            // Validated at creation: only a damaged row gets here. Fail the run rather than retry forever.
            await FailUnreadableAsync(string.Join("; ", manifest.Errors), stopping).ConfigureAwait(false);
            return;
        }

        var entries = await store.ReadJournalAsync(Record.Uid, stopping).ConfigureAwait(false);
        var journal = entries.Select(e => JournalCodec.Deserialize(e.Entry)).ToList();
        await using var writer = new RunJournalWriter(store, Record, Owner, journal.Count, time, metrics) { Stored = Stored is { } stored ? () => stored(Record.Uid) : null, LogsStored = LogsStored is { } logs ? () => logs(Record.Uid) : null };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stopping, writer.Abort.Token);
        using var flushing = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
        var flusher = FlushPeriodicallyAsync(writer, flushing.Token);
        if (Record.CancelRequest is { } pending)
        {
            RequestCancel(pending);
        }

        _secrets = RunSecrets.Masker(manifest.Resources, manifest.Run);
        try
        {
            var prepared = RunPreparation.Prepare(manifest.Run, manifest.Resources);
            var recovery = new CrashRecovery(store, executor, logger);
            if (prepared is PreparedPipelineRun pipelineRun)
            {
                await RunPipelineAsync(pipelineRun, journal, writer, recovery, stop.Token).ConfigureAwait(false);
            }
            else
            {
                await RunTaskAsync((PreparedTaskRun)prepared, journal, writer, recovery, stop.Token).ConfigureAwait(false);
            }

            // The run has ended: what the executor keeps for it (a run folder, claims) goes.
            await leftovers.ReleaseAsync([(Record.Uid, Record.Name)], stop.Token).ConfigureAwait(false);
        }
        catch (TaskResolutionException e)
        {
            // Checked at creation: only definitions changed under a stored run get here.
            await FailUnreadableAsync($"{Record.Kind} \"{Record.Name}\": {e.Message}", stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Shutdown or lease lost: the journal holds everything decided; the next owner continues.
        }
        catch (LeaseLostException)
        {
            LogLeaseLost(logger, Record.Name);
        }
        finally
        {
            await flushing.CancelAsync().ConfigureAwait(false);
            await flusher.ConfigureAwait(false);
        }
    }

    private async Task RunPipelineAsync(PreparedPipelineRun prepared, List<JournalRecord> journal, RunJournalWriter writer, CrashRecovery recovery, CancellationToken stop)
    {
        var fresh = !journal.OfType<DecisionRecord>().Any();
        Graphs?.Prime(Record.Uid, prepared.Spec, prepared.Graph);
        var run = prepared.Run;
        // A cancel requested before the run started (e.g. while pending) is part of its initial
        // state, as spec.status is in Tekton: otherwise the first tasks start before it is seen.
        // Only then: a replay must start from the state the first decision saw.
        prepared = prepared with
        {
            Run = run with { Spec = run.Spec with { Status = (fresh ? Record.CancelRequest : null) ?? (SpecStatus.IsPending(run.Spec.Status) ? null : run.Spec.Status) } },
        };
        var listener = new JournalingListener(writer, Transitions, _secrets, time, stop)
        {
            Publishing = Graphs is { } graphs ? (text, storeIt, ct) => graphs.PublishAsync(Record.Uid, text, storeIt, ct) : null,
            OnAttemptEnded = ended => metrics.TaskRunEnded(Record.Pipeline, ended.Outcome),
            // The finished event goes with the run's final commit, in its transaction.
            OnCompleting = completion => writer.AddEvent(Event(completion.Status == ConditionStatus.True ? "Normal" : "Warning", completion.Reason, completion.Message)),
            OnCompleted = (completion, _) =>
            {
                metrics.RunFinished(nameof(PipelineRun), completion.Reason);
                return Task.CompletedTask;
            },
        };
        _driver = new PipelineRunDriver(executor, listener, new RunDriverOptions { Gate = gate, Time = time, Parallelism = int.MaxValue });
        if (_cancelRequest is { } early)
        {
            _driver.RequestCancel(early);
        }

        using var refreshing = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var refresher = listener.RefreshObjectsAsync(refreshing.Token);
        try
        {
            await DrivePipelineAsync(prepared, journal, writer, recovery, stop).ConfigureAwait(false);
        }
        finally
        {
            await refreshing.CancelAsync().ConfigureAwait(false);
            await refresher.ConfigureAwait(false);
        }
    }

    private async Task DrivePipelineAsync(PreparedPipelineRun prepared, List<JournalRecord> journal, RunJournalWriter writer, CrashRecovery recovery, CancellationToken stop)
    {
        var replay = RunReplay.Replay(now => prepared.Start(Record.Uid, now), journal);
        if (replay is null)
        {
            // Stored with the first decision, which the driver commits at once.
            writer.AddEvent(Event("Normal", "Started", "PipelineRun started"));
            await _driver!.RunAsync(prepared.Start(Record.Uid, time.GetUtcNow()), stop).ConfigureAwait(false);
            return;
        }

        var resumed = new Dictionary<(string, int), TaskRunRequest>();
        foreach (var attempt in replay.InFlight)
        {
            var request = attempt.Request;
            var finished = replay.FinishedSteps.GetValueOrDefault((request.TaskRunUid, request.RetryCount), []);
            await recovery.CleanUpAsync(Record.Uid, request.TaskRunUid, request.TaskRunName, request.RetryCount, finished, stop).ConfigureAwait(false);
            resumed[(attempt.PipelineTask, attempt.ChildIndex)] = AttemptRecovery.Resume(request, finished, time.GetUtcNow());
        }

        await AddEventAsync("Normal", "Resumed",
            $"PipelineRun resumed by {Owner} {ResumedBecause}; {replay.InFlight.Length} TaskRun(s) were in flight", stop).ConfigureAwait(false);
        await _driver!.ResumeAsync(replay, a => a with { Request = resumed[(a.PipelineTask, a.ChildIndex)] }, stop).ConfigureAwait(false);
    }

    private async Task RunTaskAsync(PreparedTaskRun prepared, List<JournalRecord> journal, RunJournalWriter writer, CrashRecovery recovery, CancellationToken stop)
    {
        var run = prepared.Run;
        prepared = prepared with { Run = run with { Spec = run.Spec with { Status = SpecStatus.IsPending(run.Spec.Status) ? null : run.Spec.Status } } };
        var resume = AttemptRecovery.ReplayTaskRun(journal);
        // Running means a previous owner started it: its attempt may have left processes and partial
        // logs behind even before anything was journaled (the first step had not finished).
        var resumed = Record.Phase == RunPhase.Running || journal.Count > 0;
        if (resumed)
        {
            await AddEventAsync("Normal", "Resumed", $"TaskRun resumed by {Owner} {ResumedBecause}", stop).ConfigureAwait(false);
        }
        else
        {
            writer.AddEvent(Event("Normal", "Started", "TaskRun started"));
            await writer.CommitAsync(null, Transitions.Of(RunPhase.Running, ConditionStatus.Unknown, TaskRunReason.Running, null, _secrets.Mask(RunObjects.NotStarted(Record with { Reason = TaskRunReason.Running }, run))), stop).ConfigureAwait(false);
        }

        var listener = new JournalingListener(writer, Transitions, _secrets, time, stop);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stop, _userCancel.Token);
        if (_cancelRequest is not null)
        {
            await _userCancel.CancelAsync().ConfigureAwait(false);
        }

        if (resumed)
        {
            await recovery.CleanUpAsync(Record.Uid, Record.Uid, Record.Name, resume.Attempts.Length, resume.FinishedSteps, stop).ConfigureAwait(false);
        }

        var driver = new TaskRunDriver(executor, listener, new TaskRunDriverOptions
        {
            Gate = gate,
            Time = time,
            Prepare = request => resumed && request.RetryCount == resume.Attempts.Length ? AttemptRecovery.Resume(request, resume.FinishedSteps, time.GetUtcNow()) : request,
            OnAttemptEnded = async (retry, outcome) =>
            {
                // Stopped by a shutdown, not by the user: the attempt is not over, the next owner re-runs it.
                stop.ThrowIfCancellationRequested();
                metrics.TaskRunEnded(Record.Pipeline, outcome);
                await writer.FlushAsync(stop).ConfigureAwait(false);
                await writer.CommitAsync(new DecisionRecord(time.GetUtcNow(), [new TaskRunAttemptEnded(retry, outcome)]),
                    Transitions.Of(RunPhase.Running, ConditionStatus.Unknown, TaskRunReason.Running, null, null), stop).ConfigureAwait(false);
            },
        });
        var result = await driver.RunAsync(prepared, Record.Uid, cancel.Token, resume).ConfigureAwait(false);
        stop.ThrowIfCancellationRequested();
        await writer.FlushAsync(stop).ConfigureAwait(false);
        var obj = RunObjectWriter.TaskRun(result);
        if (result.Attempts.IsEmpty && obj["status"] is JsonObject never)
        {
            // Cancelled before any attempt (e.g. while pending): the writer has no time to give; the server has.
            var now = RunObjectWriter.Time(time.GetUtcNow());
            never["completionTime"] = now;
            if (never["conditions"]?[0] is JsonObject c)
            {
                c["lastTransitionTime"] = now;
            }
        }

        var condition = obj["status"]!["conditions"]![0]!;
        var status = (string)condition["status"]!;
        var reason = (string)condition["reason"]!;
        writer.AddEvent(Event(status == ConditionStatus.True ? "Normal" : "Warning", reason, $"TaskRun finished: {reason}"));
        await writer.CommitAsync(null, Transitions.Of(RunPhase.Finished, status, reason, result.Attempts.IsEmpty ? time.GetUtcNow() : result.Last.CompletionTime,
            _secrets.Mask(Transitions.Decorate(obj))) with { CancelHandled = _cancelRequest is not null }, stop).ConfigureAwait(false);
        metrics.RunFinished(nameof(TaskRun), reason);
    }

    /// <summary>Appends buffered log lines four times a second, so followers see them live.</summary>
    private async Task FlushPeriodicallyAsync(RunJournalWriter writer, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), time, stop).ConfigureAwait(false);
                await writer.FlushAsync(stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The run ended or the server stops; the final flush happens before the run's last commit.
        }
    }

    /// <summary>
    /// Ends a run that cannot be driven (a damaged manifest, a bug): a run must reach a terminal
    /// state rather than be claimed, crash and be claimed again forever.
    /// </summary>
    public async Task FailUnreadableAsync(string message, CancellationToken stop, string reason = PipelineRunReason.CouldntGetSpec)
    {
        var now = time.GetUtcNow();
        var obj = JsonSerializer.SerializeToNode(new { apiVersion = TektonLabels.ApiVersion, kind = Record.Kind, metadata = new { name = Record.Name, uid = Record.Uid } })!.AsObject();
        obj["status"] = new JsonObject { ["conditions"] = new JsonArray(new JsonObject { ["type"] = ConditionStatus.Succeeded, ["status"] = ConditionStatus.False, ["reason"] = reason, ["message"] = message }) };
        await store.CommitTransitionAsync(Transitions.Of(RunPhase.Finished, ConditionStatus.False, reason, now, obj), stop).ConfigureAwait(false);
        await AddEventAsync("Warning", reason, message, stop).ConfigureAwait(false);
    }

    private Task AddEventAsync(string type, string reason, string message, CancellationToken stop) => store.AddEventAsync(Event(type, reason, message), stop);

    private RunEvent Event(string type, string reason, string message) => new(Record.Uid, time.GetUtcNow(), type, reason, _secrets.Mask(message));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the lease on run {Run}; another replica continues it")]
    private static partial void LogLeaseLost(ILogger logger, string run);

}
