using Mothership.Engine.Execution;

namespace Mothership.Executors.Local.Workspaces;

/// <summary>
/// Paths that a run names inside a directory of this machine (a workspace's <c>subPath</c>, a claim,
/// a ConfigMap item) and that must stay inside it. Validation refuses <c>..</c> in what is written;
/// values substituted at run time and symbolic links a step made are caught here: the path is
/// resolved, links included, and must still lie under its root.
/// </summary>
internal static class ContainedPath
{
    /// <summary>
    /// <paramref name="relative"/> under <paramref name="root"/>, as a full path; an
    /// <see cref="AttemptFailure"/> saying <c>WHAT "RELATIVE" leaves the volume</c> when it is
    /// absolute or, resolved, lies outside the root.
    /// </summary>
    public static string Resolve(string root, string relative, string what)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(relative);
        var fullRoot = RealPath(Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)));
        var full = Path.IsPathRooted(relative) ? null : RealPath(Path.GetFullPath(Path.Combine(fullRoot, relative)));
        if (full is null || (full != fullRoot && !full.StartsWith(fullRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
        {
            throw new AttemptFailure($"{what} \"{relative}\" leaves the volume");
        }

        return full;
    }

    /// <summary>
    /// The path with every symbolic link among its existing parts followed (what the kernel will
    /// open); the parts that do not exist yet are kept as written.
    /// </summary>
    internal static string RealPath(string path)
    {
        var parts = path.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        var current = Path.DirectorySeparatorChar.ToString();
        for (var i = 0; i < parts.Length; i++)
        {
            var next = Path.Combine(current, parts[i]);
            FileSystemInfo info = new FileInfo(next);
            if (!info.Exists)
            {
                info = new DirectoryInfo(next);
            }

            if (!info.Exists)
            {
                return Path.Combine([next, .. parts[(i + 1)..]]);
            }

            current = info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target
                ? Path.TrimEndingDirectorySeparator(Path.GetFullPath(target.FullName))
                : next;
        }

        return current;
    }
}
