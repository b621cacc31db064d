using System.Runtime.CompilerServices;

namespace Mothership.Testing.Kubernetes.Kubelet;

/// <summary>One line a container printed and when the kubelet read it.</summary>
public sealed record LogLine(DateTimeOffset At, string Text);

/// <summary>
/// A container's output as the kubelet keeps it: stdout and stderr as lines in the order read,
/// each with a timestamp, and an end once the container has terminated, so a follower stops.
/// </summary>
internal sealed class ContainerLog
{
    private readonly Lock _gate = new();
    private readonly List<LogLine> _lines = [];
    private TaskCompletionSource _changed = NewSignal();
    private bool _ended;

    public IReadOnlyList<LogLine> Snapshot()
    {
        lock (_gate)
        {
            return [.. _lines];
        }
    }

    public bool Ended
    {
        get
        {
            lock (_gate)
            {
                return _ended;
            }
        }
    }

    public void Append(LogLine line) => Signal(() => _lines.Add(line));

    public void End() => Signal(() => _ended = true);

    /// <summary>The lines from <paramref name="start"/> on; with <paramref name="follow"/>, waits for more until the container ends.</summary>
    public async IAsyncEnumerable<LogLine> ReadAsync(int start, bool follow, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var next = start;
        while (true)
        {
            List<LogLine> batch;
            bool ended;
            Task changed;
            lock (_gate)
            {
                batch = _lines.Skip(next).ToList();
                ended = _ended;
                changed = _changed.Task;
            }

            foreach (var line in batch)
            {
                yield return line;
            }

            next += batch.Count;
            if (!follow || (ended && batch.Count == 0))
            {
                yield break;
            }

            if (batch.Count == 0)
            {
                await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private void Signal(Action change)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            change();
            changed = _changed;
            _changed = NewSignal();
        }

        changed.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
