using System.Collections.Concurrent;
using System.Diagnostics;

namespace Mothership.Executors.Local.Sandbox;

/// <summary>A directory a step sees at <see cref="ContainerPath"/> while it lives at <see cref="HostPath"/>.</summary>
internal sealed record Bind(string HostPath, string ContainerPath, bool ReadOnly);

/// <summary>Builds bubblewrap command lines for Tekton's layout and for the sandbox.</summary>
internal static class Bubblewrap
{
    private static readonly ConcurrentDictionary<string, Lazy<bool>> Probes = new(StringComparer.Ordinal);
    private static readonly Lazy<IReadOnlyList<string>> ReadOnlyRoot = new(() => BuildRoot(readOnly: true));
    private static readonly Lazy<IReadOnlyList<string>> HostRoot = new(() => BuildRoot(readOnly: false));

    /// <summary>Whether <c>bwrap --dev-bind / / true</c> works here; probed once per binary and process.</summary>
    public static bool IsUsable(string bwrapPath) => Probes.GetOrAdd(bwrapPath, p => new Lazy<bool>(() => Probe(p))).Value;

    private static bool Probe(string bwrapPath)
    {
        if (!File.Exists(bwrapPath))
        {
            return false;
        }

        try
        {
            var psi = new ProcessStartInfo(bwrapPath, ["--dev-bind", "/", "/", "true"])
            {
                UseShellExecute = false,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            using var p = Process.Start(psi);
            if (p is null)
            {
                return false;
            }

            if (!p.WaitForExit(10_000))
            {
                p.Kill();
                return false;
            }

            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>
    /// The bwrap arguments before the command. The host's top-level directories are bound onto
    /// bwrap's own tmpfs root, so the mount points of Tekton's paths (<c>/workspace</c>,
    /// <c>/tekton</c>, a volume's <c>/creds</c>) are made there, never on the host where parallel
    /// steps would see each other's. Without the sandbox those binds are writable and the host is
    /// otherwise visible as is. With it, they are read-only — not <c>--ro-bind / /</c>,
    /// because then <c>/workspace</c> and <c>/tekton</c> could not be created as mount points —
    /// with a fresh <c>/dev</c>, <c>/proc</c> and <c>/tmp</c>, writable binds for the attempt and
    /// workspace directories, and every namespace unshared (the network too unless
    /// <paramref name="network"/>). A mount point the host lacks is made on a tmpfs laid over its
    /// nearest existing ancestor (<see cref="PlanMountParents"/>), never on the host.
    /// </summary>
    public static List<string> Arguments(
        bool sandbox, bool network, IEnumerable<string> writableHostDirs, IEnumerable<Bind> binds, string chdir)
    {
        // Parents before children, or a later /workspace bind would hide /workspace/NAME.
        var ordered = binds.OrderBy(b => Depth(b.ContainerPath)).ToList();
        var writable = writableHostDirs.Distinct(StringComparer.Ordinal).ToList();
        var plan = PlanMountParents(ordered, writable, sandbox);
        var args = new List<string>();
        args.AddRange(sandbox ? ReadOnlyRoot.Value : HostRoot.Value);
        foreach (var (dir, entries) in plan.Unfolded)
        {
            Unfold(dir, entries, sandbox, args);
        }

        if (sandbox)
        {
            args.AddRange(["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]);
            foreach (var dir in writable)
            {
                args.AddRange(["--bind", dir, dir]);
            }

            args.Add("--unshare-all");
            if (network)
            {
                args.Add("--share-net");
            }
        }

        foreach (var b in ordered)
        {
            args.AddRange([b.ReadOnly ? "--ro-bind" : "--bind", b.HostPath, b.ContainerPath]);
        }

        if (sandbox)
        {
            // The unfolded directories' new mount points exist now; the rest of them stays as read-only as the host.
            foreach (var (dir, _) in plan.Unfolded)
            {
                args.AddRange(["--remount-ro", dir]);
            }
        }

        args.AddRange(["--die-with-parent", "--chdir", chdir, "--"]);
        return args;
    }

    /// <summary>
    /// The directories bubblewrap will still make on the host for <paramref name="binds"/> (the
    /// top one of each chain, for the caller to remove once the step ended): without the sandbox,
    /// the mount points under a host directory too large to unfold (<see cref="MaxUnfoldedEntries"/>;
    /// <c>/tmp</c>, typically). Empty in the sandbox, where such a mount point fails the step.
    /// </summary>
    public static IReadOnlyList<string> HostMountPoints(bool sandbox, IEnumerable<string> writableHostDirs, IEnumerable<Bind> binds) =>
        PlanMountParents([.. binds.OrderBy(b => Depth(b.ContainerPath))], [.. writableHostDirs], sandbox).MadeOnHost;

    /// <summary>
    /// Where mount points the host lacks are made. For each bind at a path the host lacks
    /// (<c>/home/git</c>, as the Catalog's git-clone mounts), unless it is made inside another
    /// bind, a writable directory of the attempt or the sandbox's own tmpfs, bubblewrap would make
    /// it in the host's nearest existing ancestor (<c>/home</c>): on the real directory without the
    /// sandbox (and leave it there), or fail on the read-only bind with it. That ancestor is
    /// unfolded instead, parents first, while bubblewrap's argument limit allows; beyond it the top
    /// missing directory is made on the host (<see cref="PlanMountParents"/>'s MadeOnHost).
    /// </summary>
    private static MountParents PlanMountParents(List<Bind> binds, List<string> writable, bool sandbox)
    {
        var unfolded = new SortedDictionary<string, List<string>?>(StringComparer.Ordinal);
        var madeOnHost = new List<string>();
        var total = 0;
        foreach (var b in binds)
        {
            var path = Path.TrimEndingDirectorySeparator(b.ContainerPath);
            if (binds.Any(o => IsUnder(path, o.ContainerPath) && Path.TrimEndingDirectorySeparator(o.ContainerPath) != path) || Path.Exists(path))
            {
                continue;
            }

            var top = path;
            var parent = Path.GetDirectoryName(path);
            while (parent is not null && !Path.Exists(parent))
            {
                top = parent;
                parent = Path.GetDirectoryName(parent);
            }

            if (parent is null or "/" || new FileInfo(parent).LinkTarget is not null ||
                writable.Any(w => IsUnder(parent, w)) ||
                OwnTopLevel.Any(t => IsUnder(parent, t)) ||
                (sandbox && SandboxTopLevel.Any(t => IsUnder(parent, t))))
            {
                continue;
            }

            if (!unfolded.TryGetValue(parent, out var entries))
            {
                entries = Entries(parent);
                if (entries is not null && (entries.Count > MaxUnfoldedEntries || total + entries.Count > MaxUnfoldedEntries * 2))
                {
                    entries = null;
                }

                total += entries?.Count ?? 0;
                unfolded[parent] = entries;
            }

            if (entries is null && !sandbox)
            {
                madeOnHost.Add(top);
            }
        }

        return new MountParents(
            [.. unfolded.Where(u => u.Value is not null).OrderBy(u => Depth(u.Key)).Select(u => (u.Key, u.Value!))],
            [.. madeOnHost.Distinct(StringComparer.Ordinal)]);
    }

    /// <summary>Directories unfolded with their entries, and the mount points made on the host.</summary>
    private sealed record MountParents(List<(string Dir, List<string> Entries)> Unfolded, List<string> MadeOnHost);

    /// <summary>
    /// How many entries a directory may have to be unfolded, and (twice that) all of a step's:
    /// three arguments each, within bubblewrap's 9000.
    /// </summary>
    internal const int MaxUnfoldedEntries = 1000;

    private static List<string>? Entries(string dir)
    {
        try
        {
            return [.. Directory.EnumerateFileSystemEntries(dir).Order(StringComparer.Ordinal)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Unreadable: left as it is; bubblewrap then makes the mount point there, or says why not.
            return null;
        }
    }

    /// <summary>
    /// A fresh tmpfs at <paramref name="dir"/> holding the host's entries of it (bound, links as
    /// links), so that new mount points are made in memory and the step still sees what was there.
    /// An entry that vanishes before bubblewrap starts is skipped (<c>-try</c>).
    /// </summary>
    private static void Unfold(string dir, List<string> entries, bool sandbox, List<string> args)
    {
        args.AddRange(["--tmpfs", dir]);
        foreach (var entry in entries)
        {
            if (new FileInfo(entry).LinkTarget is { } target)
            {
                args.AddRange(["--symlink", target, entry]);
            }
            else
            {
                args.AddRange([sandbox ? "--ro-bind-try" : "--dev-bind-try", entry, entry]);
            }
        }
    }

    private static readonly string[] OwnTopLevel = ["/workspace", "/tekton"];

    private static readonly string[] SandboxTopLevel = ["/tmp", "/dev", "/proc"];

    private static int Depth(string path) => path.TrimEnd('/').Count(c => c == '/');

    private static bool IsUnder(string path, string root)
    {
        var r = root.TrimEnd('/');
        return path == r || path.StartsWith(r + "/", StringComparison.Ordinal);
    }

    private static IReadOnlyList<string> BuildRoot(bool readOnly)
    {
        var args = new List<string>();
        string[] skipped = readOnly ? ["/proc", "/dev", "/tmp", "/workspace", "/tekton"] : ["/workspace", "/tekton"];
        foreach (var entry in Directory.EnumerateFileSystemEntries("/").Order(StringComparer.Ordinal))
        {
            if (skipped.Contains(entry, StringComparer.Ordinal))
            {
                continue;
            }

            var info = new FileInfo(entry);
            if (info.LinkTarget is { } target)
            {
                args.AddRange(["--symlink", target, entry]);
            }
            else if (Directory.Exists(entry))
            {
                args.AddRange([readOnly ? "--ro-bind" : "--dev-bind", entry, entry]);
            }
        }

        return args;
    }
}

/// <summary>Maps paths a step sees to host paths, through the binds of its layout.</summary>
internal sealed class PathView(IReadOnlyList<Bind> binds, bool layout)
{
    public bool Layout => layout;

    public IReadOnlyList<Bind> Binds => binds;

    /// <summary>The host path behind <paramref name="path"/>, or null if it is not under a bind.</summary>
    public string? ToHost(string path)
    {
        if (!layout)
        {
            return path;
        }

        var best = binds
            .Where(b => path == b.ContainerPath || path.StartsWith(b.ContainerPath.TrimEnd('/') + "/", StringComparison.Ordinal))
            .MaxBy(b => b.ContainerPath.Length);
        return best is null ? null : Path.Join(best.HostPath, path[best.ContainerPath.Length..]);
    }
}
