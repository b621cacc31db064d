using System.Collections.Immutable;

namespace Mothership.Ci.Plugins.Size;

/// <summary>
/// A repository's <c>.generated_files</c> (Prow's <c>genfiles.Group</c>): lines of
/// <c>path-prefix</c> (or <c>prefix</c>), <c>file-prefix</c>, <c>file-name</c>, <c>path</c> and
/// <c>paths-from-repo</c> (a file listing more paths, one a line), each followed by its value;
/// <c>#</c> starts a comment.
/// </summary>
public sealed record GeneratedFiles
{
    /// <summary>The file's name at the repository root.</summary>
    public const string FileName = ".generated_files";

    /// <summary>No file: nothing is generated.</summary>
    public static GeneratedFiles None { get; } = new();

    /// <summary>Whole paths (from <c>paths-from-repo</c> files).</summary>
    public ImmutableHashSet<string> Paths { get; init; } = [];

    /// <summary>Base names; <c>file-name</c> and, as in Prow, <c>path</c> lines.</summary>
    public ImmutableHashSet<string> FileNames { get; init; } = [];

    /// <summary>Path prefixes.</summary>
    public ImmutableHashSet<string> PathPrefixes { get; init; } = [];

    /// <summary>Base-name prefixes.</summary>
    public ImmutableHashSet<string> FilePrefixes { get; init; } = [];

    /// <summary>The files named by <c>paths-from-repo</c>, to read and pass to <see cref="WithPaths"/>.</summary>
    public ImmutableArray<string> PathsFromRepo { get; init; } = [];

    /// <summary>
    /// Reads the file's text. A line Prow cannot read stops the reading there, as Prow does, and
    /// is returned in <paramref name="error"/>; what came before it applies.
    /// </summary>
    public static GeneratedFiles Parse(string text, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        error = null;
        var paths = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
        var names = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
        var pathPrefixes = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
        var filePrefixes = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
        var fromRepo = ImmutableArray.CreateBuilder<string>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            var target = fields.Length != 2 ? null : fields[0] switch
            {
                "prefix" or "path-prefix" => pathPrefixes,
                "file-prefix" => filePrefixes,

                // Prow files "path" lines with the base names, not the whole paths.
                "file-name" or "path" => names,
                _ => null,
            };
            if (fields is ["paths-from-repo", var file])
            {
                fromRepo.Add(file);
            }
            else if (target is null)
            {
                error = $"invalid config line: \"{line}\"";
                break;
            }
            else
            {
                target.Add(fields[1]);
            }
        }

        return new GeneratedFiles
        {
            Paths = paths.ToImmutable(),
            FileNames = names.ToImmutable(),
            PathPrefixes = pathPrefixes.ToImmutable(),
            FilePrefixes = filePrefixes.ToImmutable(),
            PathsFromRepo = fromRepo.ToImmutable(),
        };
    }

    /// <summary>Adds the paths a <c>paths-from-repo</c> file lists (one a line, <c>#</c> comments).</summary>
    public GeneratedFiles WithPaths(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return this with { Paths = Paths.Union(text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && l[0] != '#')) };
    }

    /// <summary>Whether <paramref name="path"/> is generated (Prow's <c>Group.Match</c>).</summary>
    public bool Match(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Paths.Contains(path) || PathPrefixes.Any(p => path.StartsWith(p, StringComparison.Ordinal)))
        {
            return true;
        }

        var name = path[(path.LastIndexOf('/') + 1)..];
        return FileNames.Contains(name) || FilePrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal));
    }
}
