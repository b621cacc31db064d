using System.Text;
using Mothership.Engine.Execution;
using Mothership.Engine.Journal;
using Mothership.Server.Observability;
using Mothership.Store;

namespace Mothership.Server.Runs;

/// <summary>The server lost its lease on a run: another replica drives it now.</summary>
internal sealed class LeaseLostException(string uid) : Exception($"lease on run {uid} lost");

/// <summary>
/// Writes one run's journal, status and logs to the store, in order. Journal entries are fenced
/// by the lease (<see cref="IRunStore.CommitTransitionAsync"/>); a store outage is waited out
/// (the run pauses, nothing is acted on unpersisted), a lost lease stops the run.
/// Log lines are buffered and appended in chunks; a step's lines are flushed before the step's
/// end is journaled, so a step recorded as finished always has all its lines stored.
/// </summary>
internal sealed class RunJournalWriter(IRunStore store, RunRecord run, string owner, long nextSeq, TimeProvider time, ServerMetrics metrics) : IAsyncDisposable
{
    /// <summary>
    /// Lines per stored chunk at most: the dashboard's log viewer loads a big log a few chunks at
    /// a time, so a chatty step's quarter second of output must not become one huge chunk.
    /// </summary>
    private const int MaxChunkLines = 1000;

    private readonly SemaphoreSlim _commit = new(1, 1);
    // One append at a time per run: PostgreSQL assigns chunk ids before commit, so two concurrent
    // appends could commit out of id order and a follower reading "after id N" would skip one.
    private readonly SemaphoreSlim _append = new(1, 1);
    private readonly Lock _logLock = new();
    /// <summary>
    /// Log streams by TaskRun, then attempt and container. An ended attempt's streams leave once
    /// stored (<see cref="FlushEndedAsync"/>): a flush costs what runs, not every stream of the run.
    /// </summary>
    private readonly Dictionary<string, Dictionary<(int Attempt, string Container), LogStream>> _logs = new(StringComparer.Ordinal);
    private long _seq = nextSeq;
    /// <summary>Events waiting for the next commit (guarded by <see cref="_eventLock"/>).</summary>
    private readonly List<RunEvent> _events = [];
    private readonly Lock _eventLock = new();
    /// <summary>Set once the run's final status (and object) is stored: no older object may replace it.</summary>
    private bool _finished;
    /// <summary>
    /// The version of the run object stored last (<see cref="RunSummary.ObjectVersion"/>): the
    /// claimed run's, read as the lease was taken, then one more with each object this writer
    /// stores; nobody else writes the run while the lease holds. (A commit retried after an outage
    /// that had in fact stored it counts once here and twice in the store: a graph published under
    /// the count is then a cache miss, as the store's versions run ahead.)
    /// </summary>
    private long _objectVersion = run.ObjectVersion;
    private RunTransition _last = new()
    {
        Uid = run.Uid, Owner = owner, Phase = RunPhase.Running, Status = "Unknown", Reason = "Running", StartedAt = run.StartedAt,
    };

    private sealed class LogStream(string? pipelineTask)
    {
        public string? PipelineTask { get; } = pipelineTask;
        public long NextLine;
        public readonly StringBuilder Pending = new();
        public int PendingLines;
        public long FirstPending;
        /// <summary>Full chunks waiting for the next flush.</summary>
        public readonly List<(long FirstLine, string Text)> Sealed = [];
    }

    /// <summary>Called after each commit of a run object (the run's watchers read the run then).</summary>
    public Action? Stored { get; init; }

    /// <summary>Called after log lines are appended, and after the run's end is stored (its log followers read then).</summary>
    public Action? LogsStored { get; init; }

    /// <summary>Set when the run must stop being driven here (lease lost).</summary>
    public CancellationTokenSource Abort { get; } = new();

    /// <summary>
    /// An event of the run, stored with the next commit (the run's Started or finished event goes
    /// with the transition it belongs to, in its transaction, rather than costing a write of its own).
    /// </summary>
    public void AddEvent(RunEvent runEvent)
    {
        lock (_eventLock)
        {
            _events.Add(runEvent);
        }
    }

    private IReadOnlyList<RunEvent> TakeEvents()
    {
        lock (_eventLock)
        {
            if (_events.Count == 0)
            {
                return [];
            }

            var taken = _events.ToList();
            _events.Clear();
            return taken;
        }
    }

    /// <summary>Persists a journal entry with the run's new status.</summary>
    public async Task CommitAsync(JournalRecord? record, RunTransition status, CancellationToken cancellationToken)
    {
        await _commit.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var transition = status with { Uid = run.Uid, Owner = owner, Seq = _seq, JournalEntries = record is null ? [] : [JournalCodec.Serialize(record)], Events = TakeEvents() };
            var ok = await WithRetryAsync(() => store.CommitTransitionAsync(transition, cancellationToken), cancellationToken).ConfigureAwait(false);
            if (!ok)
            {
                await Abort.CancelAsync().ConfigureAwait(false);
                throw new LeaseLostException(run.Uid);
            }

            _seq += transition.JournalEntries.Count;

            if (transition.Phase == RunPhase.Finished && !_finished)
            {
                _finished = true;
                LogsStored?.Invoke();
            }

            if (transition.Object is not null)
            {
                // What watchers show changed (a status-only commit comes with the next object).
                ObjectStored();
            }
            // The object is not repeated: a later status-only commit leaves the stored one as it is.
            _last = transition with { JournalEntries = [], CancelHandled = false, Object = null, Events = [] };
        }
        finally
        {
            _commit.Release();
        }
    }

    /// <summary>
    /// Stores a newer run object (live task and step states) with the status as it was, without a
    /// journal entry; nothing once the run's final object is stored (an object built before the
    /// end must not replace it). The version it was stored as; null when it was not.
    /// </summary>
    public async Task<long?> CommitObjectAsync(string runObject, CancellationToken cancellationToken)
    {
        await _commit.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_finished)
            {
                return null;
            }

            var transition = _last with { Object = runObject };
            if (!await WithRetryAsync(() => store.CommitTransitionAsync(transition, cancellationToken), cancellationToken).ConfigureAwait(false))
            {
                await Abort.CancelAsync().ConfigureAwait(false);
                throw new LeaseLostException(run.Uid);
            }

            return ObjectStored();
        }
        finally
        {
            _commit.Release();
        }
    }

    /// <summary>A run object was committed: its version (the next one), and the run's watchers told.</summary>
    private long ObjectStored()
    {
        _objectVersion++;
        Stored?.Invoke();
        return _objectVersion;
    }

    /// <summary>A step ran to its end: store its lines, then journal it (with the status as it was).</summary>
    public void StepFinished(TaskRunRequest request, StepState step)
    {
        FlushStep(request, step.Container);
        // Blocking here is deliberate: the executor must not start the next step, nor the slot
        // the next attempt, before this one is recorded, or a crash in between would run it twice.
        CommitAsync(new StepRecord(request.TaskRunUid, request.RetryCount, step), _last, Abort.Token).GetAwaiter().GetResult();
    }

    /// <summary>Stores one step's lines now (one whose end is journaled next, or one that ended without finishing, failed or stopped, before the attempt's end is journaled).</summary>
    public void FlushStep(TaskRunRequest request, string container) =>
        FlushAsync([request.TaskRunName], (request.RetryCount, container), forget: false, CancellationToken.None).GetAwaiter().GetResult();

    public void Log(TaskRunRequest request, string container, string line)
    {
        lock (_logLock)
        {
            if (!_logs.TryGetValue(request.TaskRunName, out var streams))
            {
                _logs[request.TaskRunName] = streams = [];
            }

            var key = (request.RetryCount, container);
            if (!streams.TryGetValue(key, out var stream))
            {
                streams[key] = stream = new LogStream(request.PipelineTaskName);
            }

            if (stream.PendingLines == 0)
            {
                stream.FirstPending = stream.NextLine;
            }

            stream.Pending.Append(line).Append('\n');
            stream.PendingLines++;
            if (stream.PendingLines >= MaxChunkLines)
            {
                stream.Sealed.Add((stream.FirstPending, stream.Pending.ToString()));
                stream.Pending.Clear();
                stream.PendingLines = 0;
            }
            stream.NextLine++;
        }
    }

    /// <summary>Appends every buffered line.</summary>
    public Task FlushAsync(CancellationToken cancellationToken) => FlushAsync(null, null, forget: false, cancellationToken);

    /// <summary>
    /// Appends the buffered lines of TaskRuns whose attempt ended, then forgets their streams: an
    /// ended attempt prints nothing more, and a retry's lines are a stream of their own.
    /// </summary>
    public Task FlushEndedAsync(IReadOnlyCollection<string> taskRuns, CancellationToken cancellationToken) => FlushAsync(taskRuns, null, forget: true, cancellationToken);

    /// <summary>Appends the buffered lines of <paramref name="taskRuns"/> (all when null), of one attempt's container when <paramref name="only"/> says which.</summary>
    private async Task FlushAsync(IReadOnlyCollection<string>? taskRuns, (int Attempt, string Container)? only, bool forget, CancellationToken cancellationToken)
    {
        await _append.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var chunks = new List<LogChunk>();
            var taken = new List<(LogStream Stream, int Count)>();
            lock (_logLock)
            {
                if (taskRuns is null)
                {
                    foreach (var (taskRun, streams) in _logs)
                    {
                        Seal(taskRun, streams, only, chunks, taken);
                    }
                }
                else
                {
                    foreach (var taskRun in taskRuns)
                    {
                        if (_logs.TryGetValue(taskRun, out var streams))
                        {
                            Seal(taskRun, streams, only, chunks, taken);
                        }
                    }
                }
            }

            if (chunks.Count > 0)
            {
                await WithRetryAsync(async () =>
                {
                    await store.AppendLogsAsync(chunks, cancellationToken).ConfigureAwait(false);
                    return true;
                }, cancellationToken).ConfigureAwait(false);

                // Only lines the store has taken leave the buffer: a flush stopped while the database
                // is away (the run's stop, a shutdown) leaves them for the next flush, so a step's end
                // is never journaled while its last lines exist nowhere but in a cancelled append.
                lock (_logLock)
                {
                    foreach (var (stream, count) in taken)
                    {
                        stream.Sealed.RemoveRange(0, count);
                    }
                }

                metrics.LogLines(chunks.Sum(c => c.Text.Count(ch => ch == '\n')));
                LogsStored?.Invoke();
            }

            if (forget && taskRuns is not null)
            {
                lock (_logLock)
                {
                    foreach (var taskRun in taskRuns)
                    {
                        if (_logs.TryGetValue(taskRun, out var streams) && streams.Values.All(l => l.PendingLines == 0 && l.Sealed.Count == 0))
                        {
                            _logs.Remove(taskRun);
                        }
                    }
                }
            }
        }
        finally
        {
            _append.Release();
        }
    }

    /// <summary>Seals the pending lines of <paramref name="taskRun"/>'s streams (those <paramref name="only"/> names) and takes their chunks.</summary>
    private void Seal(string taskRun, Dictionary<(int Attempt, string Container), LogStream> streams, (int Attempt, string Container)? only,
        List<LogChunk> chunks, List<(LogStream Stream, int Count)> taken)
    {
        foreach (var (key, stream) in streams)
        {
            if ((stream.PendingLines == 0 && stream.Sealed.Count == 0) || (only is { } o && o != key))
            {
                continue;
            }

            if (stream.PendingLines > 0)
            {
                stream.Sealed.Add((stream.FirstPending, stream.Pending.ToString()));
                stream.Pending.Clear();
                stream.PendingLines = 0;
            }

            chunks.AddRange(stream.Sealed.Select(c => new LogChunk
            {
                Uid = run.Uid, TaskRun = taskRun, PipelineTask = stream.PipelineTask, Attempt = key.Attempt, Container = key.Container,
                FirstLine = c.FirstLine, Text = c.Text, Time = time.GetUtcNow(),
            }));
            taken.Add((stream, stream.Sealed.Count));
        }
    }

    /// <summary>Waits out a store outage, retrying with backoff, until the token says stop.</summary>
    private async Task<T> WithRetryAsync<T>(Func<Task<T>> action, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                return await action().ConfigureAwait(false);
            }
            catch (StoreUnavailableException)
            {
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Abort.Dispose();
        _commit.Dispose();
        _append.Dispose();
        await ValueTask.CompletedTask.ConfigureAwait(false);
    }
}
