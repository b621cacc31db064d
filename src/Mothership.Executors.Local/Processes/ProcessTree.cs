using System.Globalization;

namespace Mothership.Executors.Local.Processes;

/// <summary>
/// Reads a process and its descendants from <c>/proc/PID/stat</c> to tell whether they are all
/// asleep: the sign that a sidecar without a readiness probe has done what it does on start.
/// </summary>
/// <remarks>
/// Kubernetes counts a container without a readiness probe as ready once it runs, and Tekton
/// lets steps start only after the controller has seen that and the kubelet has refreshed the
/// step's downward-API file: a second or more in which the sidecar's start-up (writing a file,
/// binding a port) is long done. Spawning a local process takes microseconds, so "started" alone
/// lets a step overtake its sidecar (Tekton's sidecar-ready-script example failed that way on a
/// loaded machine). Waiting until the sidecar's whole tree sleeps — blocked in <c>sleep</c>,
/// <c>accept</c> or <c>read</c> — is what that delay stands for, without a fixed guess.
/// </remarks>
internal static class ProcessTree
{
    /// <summary>
    /// Whether <paramref name="root"/> and every descendant sleeps (state <c>S</c>, <c>I</c>, <c>T</c>
    /// or a zombie); false while any of them runs or waits on disk (<c>R</c>, <c>D</c>), or when the
    /// root is gone from <c>/proc</c>.
    /// </summary>
    public static bool Sleeps(int root)
    {
        var children = new Dictionary<int, List<int>>();
        var states = new Dictionary<int, char>();
        foreach (var pid in AttemptProcesses.Pids())
        {
            if (Read(pid) is { } stat)
            {
                states[pid] = stat.State;
                if (!children.TryGetValue(stat.Parent, out var list))
                {
                    children[stat.Parent] = list = [];
                }

                list.Add(pid);
            }
        }

        if (!states.ContainsKey(root))
        {
            return false;
        }

        var pending = new Stack<int>([root]);
        while (pending.TryPop(out var pid))
        {
            if (states.TryGetValue(pid, out var state) && state is 'R' or 'D' or 'W')
            {
                return false;
            }

            foreach (var child in children.GetValueOrDefault(pid) ?? [])
            {
                pending.Push(child);
            }
        }

        return true;
    }

    /// <summary>The state and parent id of a process; null when it is gone or unreadable.</summary>
    private static (char State, int Parent)? Read(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
        var close = text.LastIndexOf(')');
        if (close < 0 || close + 4 > text.Length)
        {
            return null;
        }

        var fields = text[(close + 2)..].Split(' ', 3);
        return fields.Length >= 2 && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent)
            ? (fields[0][0], parent)
            : null;
    }
}
