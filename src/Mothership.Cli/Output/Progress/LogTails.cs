namespace Mothership.Cli.Output.Progress;

/// <summary>
/// The last log lines of each task, as <c>[task/step] line</c>: the view shows a few of the running
/// and failed tasks' lines, and the failed tasks' are printed when it ends. Thread-safe: logs arrive
/// from the executor's threads (or the server's stream) while the view draws.
/// </summary>
internal sealed class LogTails(int keep = 20)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Queue<string>> _lines = new(StringComparer.Ordinal);

    public void Add(string task, string line)
    {
        lock (_lock)
        {
            if (!_lines.TryGetValue(task, out var queue))
            {
                _lines[task] = queue = new Queue<string>();
            }

            queue.Enqueue(line);
            if (queue.Count > keep)
            {
                queue.Dequeue();
            }
        }
    }

    /// <summary>The last <paramref name="count"/> lines of <paramref name="task"/>, oldest first.</summary>
    public IReadOnlyList<string> Last(string task, int count)
    {
        lock (_lock)
        {
            return _lines.TryGetValue(task, out var queue) ? [.. queue.Skip(Math.Max(0, queue.Count - count))] : [];
        }
    }
}
