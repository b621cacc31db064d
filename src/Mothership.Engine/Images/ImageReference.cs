namespace Mothership.Engine.Images;

/// <summary>
/// An image reference as the container runtime reads it: <c>[REGISTRY/]REPOSITORY[:TAG][@DIGEST]</c>.
/// A first component without a dot, a colon or <c>localhost</c> is not a registry (Docker Hub is
/// meant, <c>docker.io</c>); a Docker Hub repository of one component is under <c>library/</c>; no
/// tag and no digest means <c>latest</c>.
/// </summary>
public sealed record ImageReference(string Registry, string Repository, string Reference)
{
    public const string DockerHub = "docker.io";

    public static ImageReference Parse(string image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var rest = image;
        string? digest = null;
        if (rest.IndexOf('@') is var at and >= 0)
        {
            digest = rest[(at + 1)..];
            rest = rest[..at];
        }

        string? tag = null;
        if (rest.LastIndexOf(':') is var colon and >= 0 && colon > rest.LastIndexOf('/'))
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
        }

        var registry = DockerHub;
        if (rest.IndexOf('/') is var slash and > 0 && (rest[..slash].Contains('.', StringComparison.Ordinal) || rest[..slash].Contains(':', StringComparison.Ordinal) || rest[..slash] == "localhost"))
        {
            registry = rest[..slash];
            rest = rest[(slash + 1)..];
        }

        if (registry == DockerHub && !rest.Contains('/', StringComparison.Ordinal))
        {
            rest = "library/" + rest;
        }

        return new ImageReference(registry, rest, digest ?? tag ?? "latest");
    }

    public override string ToString() => $"{Registry}/{Repository}{(Reference.Contains(':', StringComparison.Ordinal) ? "@" : ":")}{Reference}";
}
