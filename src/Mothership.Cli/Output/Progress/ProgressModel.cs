using System.Collections.Immutable;

namespace Mothership.Cli.Output.Progress;

/// <summary>
/// The progress view's model: fed <see cref="ProgressSnapshot"/>s (<see cref="Update"/>), it keeps
/// the latest and when each task was first seen running (a TaskRun's first attempt has no start time
/// in the run object until it ends), and computes the <see cref="ProgressFrame"/> to draw at the
/// clock's time: waves, counts, durations, and the time left on the critical path.
/// </summary>
internal sealed class ProgressModel(TimeProvider time)
{
    private const int MaxNotices = 3;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, DateTimeOffset> _seenRunning = new(StringComparer.Ordinal);
    private ImmutableArray<string> _notices = [];
    private ProgressSnapshot? _latest;

    public ProgressSnapshot? Latest
    {
        get
        {
            lock (_lock)
            {
                return _latest;
            }
        }
    }

    public void Update(ProgressSnapshot snapshot)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            foreach (var t in snapshot.Tasks.Where(t => t.State == ProgressTaskState.Running))
            {
                _seenRunning.TryAdd(t.Name, now);
            }

            _latest = snapshot;
        }
    }

    /// <summary>A line to show in the view (it cannot be printed while the view is drawn).</summary>
    public void Notice(string message)
    {
        lock (_lock)
        {
            _notices = _notices.Add(message);
            if (_notices.Length > MaxNotices)
            {
                _notices = _notices.RemoveAt(0);
            }
        }
    }

    /// <summary>The frame for now; null before the first snapshot.</summary>
    public ProgressFrame? Frame()
    {
        var now = time.GetUtcNow();
        ProgressSnapshot? s;
        ImmutableArray<string> notices;
        Dictionary<string, DateTimeOffset> seen;
        lock (_lock)
        {
            s = _latest;
            notices = _notices;
            seen = new Dictionary<string, DateTimeOffset>(_seenRunning, StringComparer.Ordinal);
        }

        if (s is null)
        {
            return null;
        }

        TimeSpan? Duration(ProgressTask t)
        {
            var start = t.StartTime ?? seen.GetValueOrDefault(t.Name);
            return t.State switch
            {
                ProgressTaskState.Running when start != default => Max0(now - start),
                ProgressTaskState.Succeeded or ProgressTaskState.Failed when t.StartTime is { } st && t.CompletionTime is { } end => Max0(end - st),
                _ => null,
            };
        }

        var levels = Levels(s.Tasks);
        var waves = s.Tasks.Where(t => !t.IsFinally).GroupBy(t => levels[t.Name]).OrderBy(g => g.Key)
            .Select(g => new ProgressWave(g.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), [.. g.Select(View)]))
            .ToList();
        if (s.Tasks.Any(t => t.IsFinally))
        {
            waves.Add(new ProgressWave("finally", [.. s.Tasks.Where(t => t.IsFinally).Select(View)]));
        }

        var hasEstimates = s.Tasks.Any(t => t.Estimate is not null);
        var started = s.StartTime ?? seen.Values.DefaultIfEmpty(now).Min();
        return new ProgressFrame
        {
            RunName = s.RunName,
            Status = s.Reason ?? "Running",
            Finished = s.Finished,
            Elapsed = s.Finished ? Max0(s.Tasks.Select(t => t.CompletionTime).OfType<DateTimeOffset>().DefaultIfEmpty(now).Max() - started) : Max0(now - started),
            Waves = [.. waves],
            Total = s.Tasks.Length,
            Done = s.Tasks.Count(t => t.State is ProgressTaskState.Succeeded or ProgressTaskState.Failed or ProgressTaskState.Skipped),
            Running = s.Tasks.Count(t => t.State == ProgressTaskState.Running),
            Failed = s.Tasks.Count(t => t.State == ProgressTaskState.Failed),
            Waiting = s.Tasks.Count(t => t.State == ProgressTaskState.Waiting),
            HasEstimates = hasEstimates,
            TimeLeft = hasEstimates ? TimeLeft(s.Tasks, levels, t => Duration(t)) : null,
            Notices = notices,
        };

        ProgressTaskView View(ProgressTask t) => new(t.Name, t.State, Duration(t), t.Estimate, t.Reason);
    }

    /// <summary>
    /// The longest chain of remaining estimates through the DAG, then the longest finally task: a
    /// waiting task counts its estimate, a running one what is left of it (never below zero), an
    /// ended one nothing; a task without an estimate counts nothing.
    /// </summary>
    internal static TimeSpan TimeLeft(IReadOnlyList<ProgressTask> tasks, IReadOnlyDictionary<string, int> levels, Func<ProgressTask, TimeSpan?> elapsed)
    {
        TimeSpan Remaining(ProgressTask t) => t.State switch
        {
            ProgressTaskState.Waiting => t.Estimate ?? TimeSpan.Zero,
            ProgressTaskState.Running => Max0((t.Estimate ?? TimeSpan.Zero) - (elapsed(t) ?? TimeSpan.Zero)),
            _ => TimeSpan.Zero,
        };

        var chain = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        foreach (var t in tasks.Where(t => !t.IsFinally).OrderBy(t => levels[t.Name]))
        {
            var before = t.Parents.Select(p => chain.GetValueOrDefault(p)).DefaultIfEmpty(TimeSpan.Zero).Max();
            chain[t.Name] = before + Remaining(t);
        }

        var dag = chain.Values.DefaultIfEmpty(TimeSpan.Zero).Max();
        var final = tasks.Where(t => t.IsFinally).Select(Remaining).DefaultIfEmpty(TimeSpan.Zero).Max();
        return dag + final;
    }

    /// <summary>Each DAG task's level, 1-based: one more than the deepest task it runs after (finally tasks: 0).</summary>
    internal static IReadOnlyDictionary<string, int> Levels(IReadOnlyList<ProgressTask> tasks)
    {
        var byName = tasks.GroupBy(t => t.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var levels = new Dictionary<string, int>(StringComparer.Ordinal);
        var visiting = new HashSet<string>(StringComparer.Ordinal);

        int Level(string name)
        {
            if (levels.TryGetValue(name, out var known))
            {
                return known;
            }

            if (!byName.TryGetValue(name, out var task) || task.IsFinally || !visiting.Add(name))
            {
                // Unknown parents and (impossible in a run that started) cycles stop the climb.
                return 0;
            }

            var level = 1 + task.Parents.Select(Level).DefaultIfEmpty(0).Max();
            visiting.Remove(name);
            levels[name] = level;
            return level;
        }

        foreach (var t in tasks)
        {
            levels[t.Name] = t.IsFinally ? 0 : Level(t.Name);
        }

        return levels;
    }

    private static TimeSpan Max0(TimeSpan t) => t < TimeSpan.Zero ? TimeSpan.Zero : t;
}
