using Mothership.Engine.Execution;
using Mothership.Engine.Running;
using Mothership.Model.Tekton.Vocabulary;

namespace Mothership.Server.Runs;

/// <summary>
/// The server-wide limit on running TaskRun attempts, with a fair queue: when a slot frees up
/// it goes to the pipeline that has waited longest for a turn (round robin over pipelines, FIFO
/// within one), so one pipeline fanning out 500 tasks cannot starve the others.
/// </summary>
internal sealed class FairAttemptGate(int slots) : IAttemptGate
{
    private readonly int _slots = slots;
    private readonly Lock _lock = new();
    private readonly LinkedList<string> _turns = new();
    private readonly Dictionary<string, Queue<TaskCompletionSource<IDisposable>>> _waiting = new(StringComparer.Ordinal);
    private int _free = slots;
    private int _depth;

    /// <summary>Attempts waiting for a slot (the <c>queue depth</c> metric).</summary>
    public int QueueDepth => Volatile.Read(ref _depth);

    /// <summary>Attempts holding a slot.</summary>
    public int Running => _slots - Volatile.Read(ref _free);

    public ValueTask<IDisposable> AcquireAsync(TaskRunRequest request, CancellationToken cancellationToken)
    {
        var key = request.Labels.GetValueOrDefault(TektonLabels.Pipeline) ?? request.PipelineRunName ?? request.TaskRunName;
        TaskCompletionSource<IDisposable> waiter;
        lock (_lock)
        {
            if (_free > 0 && _depth == 0)
            {
                _free--;
                return ValueTask.FromResult<IDisposable>(new Slot(this));
            }

            waiter = new TaskCompletionSource<IDisposable>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (!_waiting.TryGetValue(key, out var queue))
            {
                _waiting[key] = queue = new Queue<TaskCompletionSource<IDisposable>>();
                _turns.AddLast(key);
            }

            queue.Enqueue(waiter);
            _depth++;
        }

        var registration = cancellationToken.Register(() =>
        {
            if (waiter.TrySetCanceled(cancellationToken))
            {
                lock (_lock)
                {
                    _depth--;
                }
            }
        });
        return new ValueTask<IDisposable>(waiter.Task.ContinueWith(t =>
        {
            registration.Dispose();
            return t.GetAwaiter().GetResult();
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default));
    }

    private void Release()
    {
        lock (_lock)
        {
            while (_turns.First is { } turn)
            {
                _turns.RemoveFirst();
                var queue = _waiting[turn.Value];
                TaskCompletionSource<IDisposable>? next = null;
                while (queue.TryDequeue(out var candidate))
                {
                    if (!candidate.Task.IsCompleted)
                    {
                        next = candidate;
                        break;
                    }
                }

                if (queue.Count > 0)
                {
                    _turns.AddLast(turn.Value); // the pipeline goes to the back of the line
                }
                else
                {
                    _waiting.Remove(turn.Value);
                }

                if (next is not null && next.TrySetResult(new Slot(this)))
                {
                    _depth--;
                    return;
                }
            }

            _free++;
        }
    }

    private sealed class Slot(FairAttemptGate gate) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
