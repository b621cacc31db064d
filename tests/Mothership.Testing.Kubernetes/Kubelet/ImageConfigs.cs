using k8s.Models;

namespace Mothership.Testing.Kubernetes.Kubelet;

/// <summary>An image's <c>ENTRYPOINT</c> and <c>CMD</c>, as its config in the registry holds them.</summary>
internal sealed record ImageConfig(IReadOnlyList<string> Entrypoint, IReadOnlyList<string> Cmd);

/// <summary>
/// The images the fake kubelet "has": it pulls nothing and runs every container on the host, so it
/// knows the config of the few images Tekton's examples use and resolves a container's process from
/// it the way the container runtime does.
/// </summary>
/// <remarks>
/// Kubernetes' rules: <c>command</c> replaces the image's <c>ENTRYPOINT</c> and then the image's
/// <c>CMD</c> is ignored, <c>args</c> replace the image's <c>CMD</c>; the process is entrypoint
/// followed by cmd. An image with no <c>ENTRYPOINT</c> (busybox, alpine, ubuntu) therefore runs
/// <c>args</c> themselves as the command. Any image not listed here is taken to have neither, like
/// a <c>FROM scratch</c> image: its container needs a command or args.
/// </remarks>
internal static class ImageConfigs
{
    /// <summary>
    /// The official bash image's <c>docker-entrypoint.sh</c>, as a shell one-liner the host can run:
    /// no arguments or a first one that is an option go to bash; anything else is executed as is.
    /// </summary>
    private const string BashEntrypoint = """if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then exec bash "$@"; fi; exec "$@" """;

    private static readonly Dictionary<string, ImageConfig> Known = new(StringComparer.Ordinal)
    {
        ["bash"] = new(["/bin/sh", "-c", BashEntrypoint, "docker-entrypoint.sh"], ["bash"]),
        ["busybox"] = new([], ["sh"]),
        ["alpine"] = new([], ["/bin/sh"]),
        ["ubuntu"] = new([], ["/bin/bash"]),
    };

    private static readonly ImageConfig Scratch = new([], []);

    /// <summary>The config of <paramref name="image"/> (<c>mirror.gcr.io/bash@sha256:…</c>, <c>bash:5</c>, <c>docker.io/library/bash</c>), by repository.</summary>
    public static ImageConfig For(string? image) => Known.GetValueOrDefault(Repository(image ?? ""), Scratch);

    /// <summary>The config of a known repository (<c>library/busybox</c> or <c>busybox</c>), as the fake registry serves it; null for others.</summary>
    public static ImageConfig? Find(string repository) => Known.GetValueOrDefault(Repository(repository));

    /// <summary>The process the runtime starts for <paramref name="container"/>: empty when there is nothing to run.</summary>
    public static List<string> Process(V1Container container)
    {
        var config = For(container.Image);
        if (container.Command is { Count: > 0 } command)
        {
            return [.. command, .. container.Args ?? []];
        }

        return [.. config.Entrypoint, .. container.Args is { Count: > 0 } args ? (IEnumerable<string>)args : config.Cmd];
    }

    /// <summary>The repository without registry, tag or digest, and without Docker Hub's <c>library/</c>.</summary>
    internal static string Repository(string image)
    {
        var name = image.Split('@')[0];
        var slash = name.LastIndexOf('/');
        var colon = name.LastIndexOf(':');
        if (colon > slash)
        {
            name = name[..colon];
        }

        var parts = name.Split('/').ToList();
        if (parts.Count > 1 && (parts[0].Contains('.', StringComparison.Ordinal) || parts[0].Contains(':', StringComparison.Ordinal) || parts[0] == "localhost"))
        {
            parts.RemoveAt(0);
        }

        if (parts.Count > 1 && parts[0] == "library")
        {
            parts.RemoveAt(0);
        }

        return string.Join('/', parts);
    }
}
