using System.Text;

namespace Mothership.Ci.Forge;

/// <summary>
/// A repository's own definition files read through the forge at one ref, as PaC reads
/// <c>.tekton/</c> and Prow reads <c>.prow/</c>: every <c>.yaml</c> and <c>.yml</c> file under a
/// directory, subdirectories included to a bound, in path order.
/// </summary>
internal static class RepositoryFiles
{
    /// <summary>The YAML files under <paramref name="directory"/> at <paramref name="gitRef"/>, with their text; null when the directory does not exist there.</summary>
    public static async Task<IReadOnlyList<(string Path, string Text)>?> ReadYamlTreeAsync(
        IForge forge, RepositoryName repository, string directory, string gitRef, int maxDepth, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(forge);
        var top = await forge.ListDirectoryAsync(repository, directory, gitRef, cancellationToken).ConfigureAwait(false);
        if (top is null)
        {
            return null;
        }

        var texts = new List<(string Path, string Text)>();
        var pending = new Queue<(IReadOnlyList<DirectoryEntry> Entries, int Depth)>([(top, 0)]);
        while (pending.TryDequeue(out var level))
        {
            foreach (var entry in level.Entries.OrderBy(e => e.Path, StringComparer.Ordinal))
            {
                if (entry.Type == DirectoryEntry.Directory && level.Depth < maxDepth)
                {
                    var entries = await forge.ListDirectoryAsync(repository, entry.Path, gitRef, cancellationToken).ConfigureAwait(false) ?? [];
                    pending.Enqueue((entries, level.Depth + 1));
                }
                else if (entry.Type == DirectoryEntry.File && IsYaml(entry.Name)
                    && await forge.GetFileContentAsync(repository, entry.Path, gitRef, cancellationToken).ConfigureAwait(false) is { } bytes)
                {
                    texts.Add((entry.Path, Encoding.UTF8.GetString(bytes)));
                }
            }
        }

        return texts;
    }

    /// <summary>Whether a file name is a YAML file's (<c>.yaml</c> or <c>.yml</c>), as PaC and Prow pick them.</summary>
    public static bool IsYaml(string name) =>
        name.EndsWith(".yaml", StringComparison.Ordinal) || name.EndsWith(".yml", StringComparison.Ordinal);
}
