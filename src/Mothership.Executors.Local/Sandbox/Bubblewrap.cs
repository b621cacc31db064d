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
    /// <paramref name="network"/>).
    /// </summary>
    public static List<string> Arguments(
        bool sandbox, bool network, IEnumerable<string> writableHostDirs, IEnumerable<Bind> binds, string chdir)
    {
        var args = new List<string>();
        if (sandbox)
        {
            args.AddRange(ReadOnlyRoot.Value);
            args.AddRange(["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]);
            foreach (var dir in writableHostDirs.Distinct(StringComparer.Ordinal))
            {
                args.AddRange(["--bind", dir, dir]);
            }

            args.Add("--unshare-all");
            if (network)
            {
                args.Add("--share-net");
            }
        }
        else
        {
            args.AddRange(HostRoot.Value);
        }

        // Parents before children, or a later /workspace bind would hide /workspace/NAME.
        foreach (var b in binds.OrderBy(b => b.ContainerPath.TrimEnd('/').Count(c => c == '/')))
        {
            args.AddRange([b.ReadOnly ? "--ro-bind" : "--bind", b.HostPath, b.ContainerPath]);
        }

        args.AddRange(["--die-with-parent", "--chdir", chdir, "--"]);
        return args;
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
