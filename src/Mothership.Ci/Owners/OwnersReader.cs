using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text;
using Mothership.Ci.Forge;
using Mothership.Model.Diagnostics;

namespace Mothership.Ci.Owners;

/// <summary>
/// Reads the OWNERS files a change needs from the forge at a commit of the base branch: the
/// OWNERS of each changed file's directory and of every parent up to the root, and the root's
/// OWNERS_ALIASES — not the whole tree as Prow's clone does. What it read is kept per repository
/// and commit (a commit never changes), for the <see cref="Capacity"/> commits used last.
/// </summary>
public sealed class OwnersReader(IForge forge)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Repository, string Sha), Snapshot> _cache = [];
    private readonly LinkedList<(string Repository, string Sha)> _recent = new();

    /// <summary>How many (repository, commit) pairs are kept. Default 64.</summary>
    public int Capacity { get; init; } = 64;

    /// <summary>The owners <paramref name="changedFiles"/> need at <paramref name="sha"/>.</summary>
    public async Task<LoadedOwners> LoadAsync(RepositoryName repository, string sha, IEnumerable<string> changedFiles, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentException.ThrowIfNullOrEmpty(sha);
        ArgumentNullException.ThrowIfNull(changedFiles);
        var snapshot = SnapshotFor(repository.ToString(), sha);
        var directories = new SortedSet<string>(StringComparer.Ordinal) { "" };
        foreach (var file in changedFiles)
        {
            // Up to the root, or to a directory another file already added with its parents.
            var d = RepoOwners.Dir(file.Trim('/'));
            while (d.Length > 0 && directories.Add(d))
            {
                d = RepoOwners.Dir(d);
            }
        }

        var aliases = await CachedAsync(snapshot.Aliases, "", _ => ReadAliasesAsync(repository, sha, cancellationToken)).ConfigureAwait(false);
        var files = await Task.WhenAll(directories.Select(d => CachedAsync(snapshot.Files, d, dir => ReadOwnersAsync(repository, sha, dir, cancellationToken)))).ConfigureAwait(false);
        var diagnostics = aliases.Diagnostics.AddRange(files.SelectMany(f => f.Diagnostics));
        return new LoadedOwners(new RepoOwners(files.Select(f => f.File).OfType<OwnersFile>(), aliases.Aliases), diagnostics);
    }

    /// <summary>The read of <paramref name="key"/>, shared by concurrent callers; one that failed or was cancelled is forgotten.</summary>
    private static async Task<T> CachedAsync<T>(ConcurrentDictionary<string, Task<T>> reads, string key, Func<string, Task<T>> read)
    {
        var task = reads.GetOrAdd(key, read);
        try
        {
            return await task.ConfigureAwait(false);
        }
        catch (Exception)
        {
            reads.TryRemove(new KeyValuePair<string, Task<T>>(key, task));
            throw;
        }
    }

    private Snapshot SnapshotFor(string repository, string sha)
    {
        var key = (repository.ToLowerInvariant(), sha);
        lock (_gate)
        {
            if (_cache.TryGetValue(key, out var found))
            {
                _recent.Remove(key);
                _recent.AddFirst(key);
                return found;
            }

            var snapshot = new Snapshot();
            _cache[key] = snapshot;
            _recent.AddFirst(key);
            while (_recent.Count > Math.Max(1, Capacity))
            {
                _cache.Remove(_recent.Last!.Value);
                _recent.RemoveLast();
            }

            return snapshot;
        }
    }

    private async Task<(OwnersAliases Aliases, ImmutableArray<Diagnostic> Diagnostics)> ReadAliasesAsync(RepositoryName repository, string sha, CancellationToken cancellationToken)
    {
        var bytes = await forge.GetFileContentAsync(repository, OwnersAliases.FileName, sha, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return (OwnersAliases.None, []);
        }

        var diagnostics = new DiagnosticBag();
        return (OwnersAliases.Parse(Encoding.UTF8.GetString(bytes), diagnostics), [.. diagnostics.Items]);
    }

    private async Task<(OwnersFile? File, ImmutableArray<Diagnostic> Diagnostics)> ReadOwnersAsync(RepositoryName repository, string sha, string directory, CancellationToken cancellationToken)
    {
        var path = directory.Length == 0 ? OwnersFile.FileName : directory + "/" + OwnersFile.FileName;
        var bytes = await forge.GetFileContentAsync(repository, path, sha, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return (null, []);
        }

        var diagnostics = new DiagnosticBag();
        return (OwnersFile.Parse(directory, Encoding.UTF8.GetString(bytes), diagnostics), [.. diagnostics.Items]);
    }

    /// <summary>What was read at one commit. A failed read is dropped so the next call tries again.</summary>
    private sealed class Snapshot
    {
        public ConcurrentDictionary<string, Task<(OwnersAliases Aliases, ImmutableArray<Diagnostic> Diagnostics)>> Aliases { get; } = new(StringComparer.Ordinal);

        public ConcurrentDictionary<string, Task<(OwnersFile? File, ImmutableArray<Diagnostic> Diagnostics)>> Files { get; } = new(StringComparer.Ordinal);
    }
}
