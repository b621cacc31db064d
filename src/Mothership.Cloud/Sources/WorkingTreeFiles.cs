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
