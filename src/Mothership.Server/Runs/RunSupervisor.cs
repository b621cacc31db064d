using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Mothership.Engine.Execution;
using Mothership.Engine.Journal;
using Mothership.Engine.Resolution;
using Mothership.Engine.Running;
using Mothership.Engine.Scheduling;
using Mothership.Engine.Status;
using Mothership.Model.Tekton;
using Mothership.Server.Observability;
using Mothership.Store;

namespace Mothership.Server.Runs;

/// <summary>
/// Drives one claimed run to its end on this replica: rebuilds it from its manifest, replays its
/// journal, and continues. The recovery rule for attempts that were in flight when the previous
/// owner died: their leftover processes are killed, the steps that had finished are not run
/// again, the step that was running is run again from its start (its partial log is dropped
/// first, so the stored log holds each step's output once), and the attempt keeps its retry
/// count (a crash does not use up a retry).
/// </summary>
internal sealed partial class RunSupervisor(
    IRunStore store, ITaskExecutor executor, IAttemptGate gate, TimeProvider time, ServerMetrics metrics, ILogger logger)
{
    private ServerMetrics Metrics => metrics;

    private readonly CancellationTokenSource _userCancel = new();
    private PipelineRunDriver? _driver;
    private string? _cancelRequest;

    public required RunRecord Record { get; init; }

    public required string Owner { get; init; }

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
        else if (Record.Kind == "TaskRun")
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
        await using var writer = new RunJournalWriter(store, Record, Owner, journal.Count, time, metrics);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stopping, writer.Abort.Token);
        using var flushing = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
        var flusher = FlushPeriodicallyAsync(writer, flushing.Token);
        if (Record.CancelRequest is { } pending)
        {
            RequestCancel(pending);
        }

        try
        {
            if (Record.Kind == "PipelineRun")
            {
                await RunPipelineAsync(manifest, journal, writer, stop.Token).ConfigureAwait(false);
            }
            else
            {
                await RunTaskAsync(manifest, journal, writer, stop.Token).ConfigureAwait(false);
            }

            await ReleaseAsync(stop.Token).ConfigureAwait(false);
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

    private async Task RunPipelineAsync(RunManifest manifest, List<JournalRecord> journal, RunJournalWriter writer, CancellationToken stop)
    {
        var resources = manifest.Resources;
        var run = (PipelineRun)manifest.Run;
        var fresh = !journal.OfType<DecisionRecord>().Any();
        run = run with
        {
            // A cancel requested before the run started (e.g. while pending) is part of its initial
            // state, as spec.status is in Tekton: otherwise the first tasks start before it is seen.
            // Only then: a replay must start from the state the first decision saw.
            Spec = run.Spec with
            {
                Status = (fresh ? Record.CancelRequest : null) ?? (run.Spec.Status == "PipelineRunPending" ? null : run.Spec.Status),
            },
        };
        var spec = run.Spec.PipelineSpec ?? resources.FindPipeline(run.Spec.PipelineRef?.Name ?? "")?.Spec;
        if (spec is null)
        {
            await FailUnreadableAsync($"PipelineRun \"{Record.Name}\": its manifest holds no pipeline spec", stop).ConfigureAwait(false);
            return;
        }

        var parameters = PipelineParams.Resolve(spec, run.Spec.Params, run.DisplayName);
        PipelineRunState Start(DateTimeOffset now) => PipelineRunScheduler.Start(run, spec, parameters, resources, Record.Uid, now);

        var listener = new Listener(this, writer, stop);
        _driver = new PipelineRunDriver(executor, listener, new RunDriverOptions { Gate = gate, Time = time, Parallelism = int.MaxValue });
        if (_cancelRequest is { } early)
        {
            _driver.RequestCancel(early);
        }

        var replay = RunReplay.Replay(Start, journal);
        if (replay is null)
        {
            await AddEventAsync("Normal", "Started", "PipelineRun started", stop).ConfigureAwait(false);
            await _driver.RunAsync(Start(time.GetUtcNow()), stop).ConfigureAwait(false);
            return;
        }

        var prepared = new Dictionary<(string, int), TaskRunRequest>();
        foreach (var attempt in replay.InFlight)
        {
            var request = attempt.Request;
            var finished = replay.FinishedSteps.GetValueOrDefault((request.TaskRunUid, request.RetryCount), []);
            await CleanUpAfterCrashAsync(request.TaskRunUid, request.TaskRunName, request.RetryCount, finished, stop).ConfigureAwait(false);
            prepared[(attempt.PipelineTask, attempt.ChildIndex)] = Resumed(request, finished);
        }

        await AddEventAsync("Normal", "Resumed",
            $"PipelineRun resumed by {Owner} after its previous server stopped; {replay.InFlight.Length} TaskRun(s) were in flight", stop).ConfigureAwait(false);
        await _driver.ResumeAsync(replay, a => a with { Request = prepared[(a.PipelineTask, a.ChildIndex)] }, stop).ConfigureAwait(false);
    }

    private async Task RunTaskAsync(RunManifest manifest, List<JournalRecord> journal, RunJournalWriter writer, CancellationToken stop)
    {
        var run = (TaskRun)manifest.Run;
        run = run with
        {
            Spec = run.Spec with { Status = run.Spec.Status == "TaskRunPending" ? null : run.Spec.Status },
        };
        var attempts = journal.OfType<DecisionRecord>().SelectMany(d => d.Events).OfType<AttemptEnded>().Select(a => a.Outcome).ToImmutableArray();
        var finished = journal.OfType<StepRecord>().Where(s => s.RetryCount == attempts.Length).Select(s => s.Step).DistinctBy(s => s.Container).ToImmutableArray();
        // Running means a previous owner started it: its attempt may have left processes and partial
        // logs behind even before anything was journaled (the first step had not finished).
        var resumed = Record.Phase == RunPhase.Running || journal.Count > 0;
        await AddEventAsync("Normal", resumed ? "Resumed" : "Started", resumed ? $"TaskRun resumed by {Owner}" : "TaskRun started", stop).ConfigureAwait(false);
        if (!resumed)
        {
            await writer.CommitAsync(null, Status(RunPhase.Running, "Unknown", "Running", null, PendingObject(run, "Running")), stop).ConfigureAwait(false);
        }

        var listener = new Listener(this, writer, stop);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stop, _userCancel.Token);
        if (_cancelRequest is not null)
        {
            await _userCancel.CancelAsync().ConfigureAwait(false);
        }

        if (resumed)
        {
            await CleanUpAfterCrashAsync(Record.Uid, Record.Name, attempts.Length, finished, stop).ConfigureAwait(false);
        }

        var driver = new TaskRunDriver(executor, listener, new TaskRunDriverOptions
        {
            Gate = gate,
            Prepare = request => resumed && request.RetryCount == attempts.Length ? Resumed(request, finished) : request,
            OnAttemptEnded = async outcome =>
            {
                // Stopped by a shutdown, not by the user: the attempt is not over, the next owner re-runs it.
                stop.ThrowIfCancellationRequested();
                metrics.TaskRunEnded(Record.Pipeline, outcome);
                var record = new DecisionRecord(time.GetUtcNow(), [new AttemptEnded("", attempts.Length, outcome)]);
                await writer.CommitAsync(record, Status(RunPhase.Running, "Unknown", "Running", null, null), stop).ConfigureAwait(false);
            },
        });
        var result = await driver.RunAsync(run, manifest.Resources, Record.Uid, cancel.Token, new TaskRunResume(attempts, finished)).ConfigureAwait(false);
        stop.ThrowIfCancellationRequested();
        await writer.FlushAsync(null, stop).ConfigureAwait(false);
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
        await writer.CommitAsync(null, Status(RunPhase.Finished, status, reason, result.Attempts.IsEmpty ? time.GetUtcNow() : result.Last.CompletionTime,
            Decorate(obj)) with { CancelHandled = _cancelRequest is not null }, stop).ConfigureAwait(false);
        metrics.RunFinished("TaskRun", reason);
        await AddEventAsync(status == "True" ? "Normal" : "Warning", reason, $"TaskRun finished: {reason}", stop).ConfigureAwait(false);
    }

    /// <summary>
    /// The run has ended: what the executor keeps for it in a cluster (claims from workspace
    /// templates) goes. A failure here only delays that to the next sweep.
    /// </summary>
    private async Task ReleaseAsync(CancellationToken stop)
    {
        if (executor is not IRunCleanup cleanup)
        {
            return;
        }

        try
        {
            var deleted = await cleanup.ReleaseRunAsync(Record.Uid, stop).ConfigureAwait(false);
            if (deleted > 0)
            {
                LogReleased(logger, deleted, Record.Name);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The cluster's API is the executor's business and may be down; the run is over and stored.
            LogReleaseFailed(logger, Record.Name, e.Message);
        }
    }

    /// <summary>Kills what the previous owner left running of an attempt and drops the partial logs of the steps that will run again.</summary>
    private async Task CleanUpAfterCrashAsync(string taskRunUid, string taskRun, int attempt, ImmutableArray<StepState> finished, CancellationToken stop)
    {
        // A pod is adopted by name and needs nothing; local steps outlive their server and are killed.
        var killed = (executor as IOrphanCleanup)?.CleanUpOrphans(taskRunUid, attempt) ?? 0;
        if (killed > 0)
        {
            LogOrphansKilled(logger, killed, taskRun);
        }

        await DropPartialLogsAsync(taskRun, attempt, finished, stop).ConfigureAwait(false);
    }

    /// <summary>The request of an attempt resumed after a crash: its finished steps, and only the timeout it had left.</summary>
    private TaskRunRequest Resumed(TaskRunRequest request, ImmutableArray<StepState> finished)
    {
        // The executor counts the timeout from its call.
        var timeout = request.Timeout;
        if (timeout is { } t && finished.Select(s => s.StartedAt).Min() is { } began)
        {
            var left = t - (time.GetUtcNow() - began);
            timeout = left > TimeSpan.FromMilliseconds(1) ? left : TimeSpan.FromMilliseconds(1);
        }

        return request with { FinishedSteps = finished, Timeout = timeout };
    }

    private async Task DropPartialLogsAsync(string taskRun, int attempt, ImmutableArray<StepState> finished, CancellationToken stop)
    {
        var keep = finished.Select(s => s.Container).ToHashSet(StringComparer.Ordinal);
        var chunks = await store.ReadLogsAsync(new LogQuery { Uid = Record.Uid, TaskRun = taskRun, Limit = 100_000 }, stop).ConfigureAwait(false);
        foreach (var container in chunks.Where(c => c.Chunk.Attempt == attempt).Select(c => c.Chunk.Container).Distinct().Where(c => !keep.Contains(c)))
        {
            await store.DeleteLogsAsync(Record.Uid, taskRun, attempt, container, stop).ConfigureAwait(false);
        }
    }

    /// <summary>Appends buffered log lines four times a second, so followers see them live.</summary>
    private async Task FlushPeriodicallyAsync(RunJournalWriter writer, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), time, stop).ConfigureAwait(false);
                await writer.FlushAsync(null, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The run ended or the server stops; the final flush happens before the run's last commit.
        }
    }

    private RunTransition Status(RunPhase phase, string status, string reason, DateTimeOffset? completed, JsonObject? obj) => new()
    {
        Uid = Record.Uid,
        Owner = Owner,
        Phase = phase,
        Status = status,
        Reason = reason,
        StartedAt = Record.StartedAt ?? time.GetUtcNow(),
        CompletedAt = completed,
        Object = obj?.ToJsonString(),
    };

    /// <summary>The server's own metadata on a run object: creation time and uid as stored.</summary>
    private JsonObject Decorate(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject m)
        {
            m["uid"] = Record.Uid;
            m["creationTimestamp"] = RunObjectWriter.Time(Record.CreatedAt);
        }

        return obj;
    }

    private JsonObject PendingObject(Resource run, string reason) => RunObjects.NotStarted(Record with { Reason = reason }, run);

    /// <summary>
    /// Ends a run that cannot be driven (a damaged manifest, a bug): a run must reach a terminal
    /// state rather than be claimed, crash and be claimed again forever.
    /// </summary>
    public async Task FailUnreadableAsync(string message, CancellationToken stop, string reason = "CouldntGetSpec")
    {
        var now = time.GetUtcNow();
        var obj = JsonSerializer.SerializeToNode(new { apiVersion = "tekton.dev/v1", kind = Record.Kind, metadata = new { name = Record.Name, uid = Record.Uid } })!.AsObject();
        obj["status"] = new JsonObject { ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Succeeded", ["status"] = "False", ["reason"] = reason, ["message"] = message }) };
        await store.CommitTransitionAsync(Status(RunPhase.Finished, "False", reason, now, obj), stop).ConfigureAwait(false);
        await AddEventAsync("Warning", reason, message, stop).ConfigureAwait(false);
    }

    private Task AddEventAsync(string type, string reason, string message, CancellationToken stop) =>
        store.AddEventAsync(new RunEvent(Record.Uid, time.GetUtcNow(), type, reason, message), stop);

    /// <summary>Persists the driver's decisions and the executor's steps and logs.</summary>
    private sealed class Listener(RunSupervisor owner, RunJournalWriter writer, CancellationToken stop) : IRunListener
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<string, (TaskRunRequest Request, Dictionary<string, StepState> Steps)> _live = new(StringComparer.Ordinal);
        private PipelineRunState? _latest;

        public async ValueTask OnDecisionAsync(PipelineRunState state, DecisionRecord record, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                _latest = state;
                foreach (var ended in record.Events.OfType<AttemptEnded>())
                {
                    _live.Remove(state.Tasks[ended.PipelineTask].Runs[ended.ChildIndex].TaskRunName);
                }
            }

            var completion = state.Completion;
            if (completion is not null)
            {
                await writer.FlushAsync(null, cancellationToken).ConfigureAwait(false);
            }

            foreach (var ended in record.Events.OfType<AttemptEnded>())
            {
                owner.Metrics.TaskRunEnded(owner.Record.Pipeline, ended.Outcome);
            }

            var obj = ObjectNow(state);
            var transition = owner.Status(completion is null ? RunPhase.Running : RunPhase.Finished, completion?.Status ?? "Unknown",
                completion?.Reason ?? "Running", completion?.Time, obj) with
            {
                StartedAt = state.StartTime,
                CancelHandled = record.Events.Any(e => e is CancelRequested),
            };
            await writer.CommitAsync(record, transition, cancellationToken).ConfigureAwait(false);
            if (completion is not null)
            {
                owner.Metrics.RunFinished("PipelineRun", completion.Reason);
                await owner.AddEventAsync(completion.Status == "True" ? "Normal" : "Warning", completion.Reason, completion.Message, cancellationToken).ConfigureAwait(false);
            }
        }

        public void OnLog(TaskRunRequest request, string container, string line) => writer.Log(request, container, line);

        public void OnStep(TaskRunRequest request, StepState step)
        {
            if (stop.IsCancellationRequested)
            {
                return;
            }

            PipelineRunState? latest;
            lock (_lock)
            {
                if (!_live.TryGetValue(request.TaskRunName, out var live) || live.Request.RetryCount != request.RetryCount)
                {
                    _live[request.TaskRunName] = live = (request, new Dictionary<string, StepState>(StringComparer.Ordinal));
                }

                live.Steps[step.Container] = step;
                latest = _latest;
            }

            var obj = latest is null ? null : ObjectNow(latest).ToJsonString();
            // Only a step that ended by itself counts as finished; one stopped by a shutdown runs again.
            if (step.ExitCode is not null && (step.ExitCode == 0 || step.TerminationReason == "Continued")
                && step.Container.StartsWith("step-", StringComparison.Ordinal) && !request.FinishedSteps.Any(f => f.Container == step.Container))
            {
                writer.StepFinished(request, step, obj);
            }
            else if (obj is not null && step.ExitCode is null)
            {
                writer.Refresh(obj); // a step started: show it running
            }
        }

        /// <summary>
        /// The run object of <paramref name="state"/> with the live step states of the TaskRuns
        /// still executing: the engine's state learns of steps only when an attempt ends.
        /// </summary>
        private JsonObject ObjectNow(PipelineRunState state)
        {
            var obj = owner.Decorate(RunObjectWriter.PipelineRun(state));
            lock (_lock)
            {
                foreach (var (taskRun, live) in _live)
                {
                    if (obj["status"]?["taskRuns"]?[taskRun]?["status"] is JsonObject status && (string?)status["conditions"]?[0]?["status"] == "Unknown")
                    {
                        status["steps"] = new JsonArray([.. live.Request.Spec.Steps.Select((s, i) => (JsonNode)LiveStep(string.IsNullOrEmpty(s.Name) ? $"unnamed-{i}" : s.Name, live.Steps))]);
                    }
                }
            }

            return obj;
        }

        private static JsonObject LiveStep(string name, Dictionary<string, StepState> steps)
        {
            var step = new JsonObject { ["name"] = name, ["container"] = "step-" + name };
            if (!steps.TryGetValue("step-" + name, out var s))
            {
                step["waiting"] = new JsonObject { ["reason"] = "PodInitializing" };
            }
            else if (s.ExitCode is { } code)
            {
                step["terminated"] = new JsonObject
                {
                    ["exitCode"] = code,
                    ["reason"] = s.Reason ?? (code == 0 ? "Completed" : "Error"),
                    ["startedAt"] = s.StartedAt is { } a ? RunObjectWriter.Time(a) : null,
                    ["finishedAt"] = s.FinishedAt is { } f ? RunObjectWriter.Time(f) : null,
                };
                step["terminationReason"] = s.TerminationReason;
            }
            else
            {
                step["running"] = new JsonObject { ["startedAt"] = s.StartedAt is { } a ? RunObjectWriter.Time(a) : null };
            }

            return step;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the lease on run {Run}; another replica continues it")]
    private static partial void LogLeaseLost(ILogger logger, string run);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} object(s) the executor kept for run {Run}")]
    private static partial void LogReleased(ILogger logger, int count, string run);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete what the executor kept for run {Run} (the next sweep will): {Message}")]
    private static partial void LogReleaseFailed(ILogger logger, string run, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Killed {Count} leftover process(es) of TaskRun {TaskRun}")]
    private static partial void LogOrphansKilled(ILogger logger, int count, string taskRun);
}
