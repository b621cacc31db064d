namespace Mothership.Cloud.Sources;

/// <summary>The site repository as it is on disk now (uncommitted changes included).</summary>
public sealed class WorkingTreeFiles(string root) : IRepositoryFiles
{
    public string Root { get; } = Path.GetFullPath(root);

    public string Revision => "working tree";

    public string? ReadText(string path)
    {
        var full = Full(path);
        return File.Exists(full) ? File.ReadAllText(full) : null;
    }

    /// <summary>Git's blob id of the content, so a file on disk compares equal to the same file at a revision.</summary>
    public string? Fingerprint(string path)
    {
        var full = Full(path);
        return File.Exists(full) ? BlobId(File.ReadAllBytes(full)) : null;
    }

    /// <summary>SHA-1 of <c>blob LENGTH\0CONTENT</c>, as git names a blob (not for security: for identity with git's own ids).</summary>
    internal static string BlobId(byte[] content)
    {
        var header = System.Text.Encoding.ASCII.GetBytes($"blob {content.Length}\0");
#pragma warning disable CA5350 // git's object names are SHA-1; this only compares contents.
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData([.. header, .. content]));
#pragma warning restore CA5350
    }

    public IReadOnlyList<string> List(string directory)
    {
        var full = Full(directory);
        return Directory.Exists(full)
            ? [.. Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(Root, f).Replace(Path.DirectorySeparatorChar, '/'))
                .Order(StringComparer.Ordinal)]
            : [];
    }

    public IReadOnlyList<string> Directories(string directory)
    {
        var full = Full(directory);
        return Directory.Exists(full)
            ? [.. Directory.EnumerateDirectories(full).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)]
            : [];
    }

    private string Full(string path) => Path.Combine(Root, path.Replace('/', Path.DirectorySeparatorChar));
}
