namespace Mothership.Executors.Local.Processes;

/// <summary>
/// Threads that wait for children with <c>waitpid</c>, one child at a time each; a thread is
/// added only when every existing one is busy, so there are as many as children ever ran at once.
/// The fallback of <see cref="ProcessEventLoop"/> where <c>pidfd_open</c> is missing or refused.
/// </summary>
/// <remarks>
/// Reapers never end: a process spawned from a thread that later exits would get bubblewrap's
/// <c>--die-with-parent</c> signal, and although steps are not spawned from reapers, a thread
/// that lives as long as the executor keeps that from ever mattering.
/// </remarks>
internal sealed class ReaperPool
{
    // Monitor.Wait needs a monitor, which System.Threading.Lock is not.
    private readonly object _lock = new();
    private readonly Queue<(int Pid, TaskCompletionSource<int> Exited)> _pending = new();
    private int _idle;

    public void Add(int pid, TaskCompletionSource<int> exited)
    {
        lock (_lock)
        {
            _pending.Enqueue((pid, exited));
            if (_idle > 0)
            {
                _idle--;
                Monitor.Pulse(_lock);
                return;
            }
        }

        new Thread(Run) { IsBackground = true, Name = "mship waitpid" }.Start();
    }

    private void Run()
    {
        while (true)
        {
            (int Pid, TaskCompletionSource<int> Exited) next;
            lock (_lock)
            {
                while (!_pending.TryDequeue(out next))
                {
                    _idle++;
                    Monitor.Wait(_lock);
                }
            }

            try
            {
                next.Exited.SetResult(PosixSpawn.WaitForExit(next.Pid));
            }
            catch (IOException e)
            {
                next.Exited.SetException(e);
            }
        }
    }
}
