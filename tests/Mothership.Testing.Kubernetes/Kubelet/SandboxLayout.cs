namespace Mothership.Testing.Kubernetes.Kubelet;

/// <summary>A host file or directory a container sees at <see cref="ContainerPath"/>.</summary>
internal sealed record Mount(string HostPath, string ContainerPath, bool ReadOnly);

/// <summary>
/// Builds the bubblewrap command line that gives a container its filesystem: the host's, read-only,
/// with the pod's volumes mounted where the container asks, its own <c>/dev</c>, <c>/proc</c> and
/// <c>/tmp</c>, and the pod's name as host name.
/// </summary>
/// <remarks>
/// The approach is <c>Mothership.Executors.Local</c>'s (<c>Sandbox/Bubblewrap.cs</c>): the host's
/// top-level entries are bound one by one onto bubblewrap's own tmpfs root, so a mount point such
/// as <c>/workspace</c> is made on that tmpfs and never on the host, where containers running at
/// the same time would see each other's. A pod may mount anywhere, though (<c>/etc/config</c>), so
/// a host directory on the way to a mount point is not bound whole: it is made on the tmpfs and its
/// entries are bound one by one, down to the mount point's parent. The same holds for a
/// <c>workingDir</c> the host does not have: a container runtime creates it in the container.
/// </remarks>
internal static class SandboxLayout
{
    // bubblewrap makes these itself; /tmp is private to each container, as in a container's own root filesystem.
    private static readonly string[] Fresh = ["/dev", "/proc", "/tmp"];

    /// <summary>
    /// Where containers find alpine's <c>ash</c>: a directory on the images' PATH, so that
    /// <c>#!/usr/bin/env ash</c> works. Not <c>/bin/ash</c>: on a merged-/usr host that is
    /// <c>/usr/bin</c>, which would then have to be bound entry by entry (over a thousand mounts per
    /// container) to make room for one file.
    /// </summary>
    public const string Ash = "/usr/local/bin/ash";

    public static List<string> Arguments(string hostname, IReadOnlyList<Mount> mounts, string workingDir, IReadOnlyList<string> command)
    {
        var dir = Normalize(workingDir);

        // The host has no ash (busybox's shell in alpine images): bash stands in for it, as for sh below.
        if (File.Exists("/usr/bin/bash") && !File.Exists(Ash) && !mounts.Any(m => Normalize(m.ContainerPath) is var p && (p == Ash || Ash.StartsWith(p + "/", StringComparison.Ordinal))))
        {
            mounts = [new Mount("/usr/bin/bash", Ash, ReadOnly: true), .. mounts];
        }

        // A workingDir the host has is simply entered; one it lacks is a path to make, like a mount point.
        var targets = mounts.Select(m => Normalize(m.ContainerPath))
            .Concat(Directory.Exists(dir) ? [] : [dir])
            .Where(t => t != "/")
            .ToList();

        var args = new List<string>();
        BindChildren("/", targets, args);
        args.AddRange(["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]);

        // Images' /bin/sh is busybox's or bash, which take bash-isms ([ a == b ]) that the host's
        // dash rejects: give containers bash as sh, as the local executor runs sh scripts.
        if (File.Exists("/usr/bin/bash") && File.Exists("/usr/bin/sh"))
        {
            args.AddRange(["--ro-bind", "/usr/bin/bash", "/usr/bin/sh"]);
        }

        // Parents before children, or a later /workspace bind would hide /workspace/source.
        foreach (var m in mounts.OrderBy(m => Depth(m.ContainerPath)))
        {
            args.AddRange([m.ReadOnly ? "--ro-bind" : "--bind", m.HostPath, Normalize(m.ContainerPath)]);
        }

        // A workingDir under no mount and not on the host is made on the tmpfs; under a mount, in the volume, as a runtime would.
        if (dir != "/")
        {
            args.AddRange(["--dir", dir]);
        }

        args.AddRange([
            "--unshare-ipc", "--unshare-uts", "--hostname", hostname,
            "--die-with-parent", "--chdir", dir, "--",
            // The test host ignores SIGPIPE and ignored signals survive exec: a container starts with every signal at its default.
            "/usr/bin/env", "--default-signal", "/usr/bin/setsid", "/bin/sh", "-c", "echo $$; exec \"$@\" 2>&1", "sh",
        ]);
        args.AddRange(command);
        return args;
    }

    /// <summary>Binds the entries of host directory <paramref name="dir"/> (itself already on the tmpfs), splitting those on a target's way.</summary>
    private static void BindChildren(string dir, IReadOnlyList<string> targets, List<string> args)
    {
        IEnumerable<string> entries;
        try
        {
            entries = Directory.EnumerateFileSystemEntries(dir).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }

        foreach (var entry in entries)
        {
            if (dir == "/" && Fresh.Contains(entry, StringComparer.Ordinal))
            {
                continue;
            }

            var isTarget = targets.Contains(entry, StringComparer.Ordinal);
            var onTheWay = targets.Any(t => t.StartsWith(entry + "/", StringComparison.Ordinal));
            var info = new FileInfo(entry);
            if (isTarget)
            {
                // The mount (or --dir for a workingDir) makes it; a host directory there would be hidden anyway.
                continue;
            }

            if (onTheWay && info.LinkTarget is null && Directory.Exists(entry))
            {
                args.AddRange(["--dir", entry]);
                BindChildren(entry, targets, args);
            }
            else if (onTheWay)
            {
                // A symlink or file where a target needs a directory: leave it out and let the target's parents be made.
                continue;
            }
            else if (info.LinkTarget is { } link)
            {
                args.AddRange(["--symlink", link, entry]);
            }
            else
            {
                args.AddRange(["--ro-bind-try", entry, entry]);
            }
        }
    }

    private static string Normalize(string path)
    {
        var full = Path.GetFullPath(path.StartsWith('/') ? path : "/" + path);
        return full.Length > 1 ? full.TrimEnd('/') : full;
    }

    private static int Depth(string path) => Normalize(path).Count(c => c == '/');
}
