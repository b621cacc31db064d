using LibGit2Sharp;

namespace Mothership.Cloud.Sources;

/// <summary>
/// The site repository as committed at one revision, read from git's objects (LibGit2Sharp): no
/// checkout, so planning between two revisions leaves the working tree alone. The site repository
/// may be a folder inside a larger git repository; paths are taken relative to that folder.
/// Each directory's tree is read from git once and kept: LibGit2Sharp's path indexer
/// (<c>git_tree_entry_bypath</c>) looks every tree on the way up again, and libgit2 keeps no
/// tree over 4 KiB in its object cache, so with 1,000 sites each lookup under <c>sites/</c>
/// inflated, hashed and parsed the 1,000-entry <c>sites</c> tree again — planning cost grew with
/// the number of sites in the repository, not with the number planned.
/// </summary>
public sealed class GitRevisionFiles : IRepositoryFiles, IDisposable
{
    private readonly Repository _repository;
    private readonly Tree _tree;
    private readonly string _prefix;
    private readonly Dictionary<string, Dictionary<string, TreeEntry>?> _directories = new(StringComparer.Ordinal);

    private GitRevisionFiles(Repository repository, Tree tree, string prefix, string revision)
    {
        _repository = repository;
        _tree = tree;
        _prefix = prefix;
        Revision = revision;
    }

    public string Revision { get; }

    /// <summary>The commit's full id.</summary>
    public string CommitId { get; private init; } = "";

    /// <summary>
    /// Opens <paramref name="revision"/> (anything <c>git rev-parse</c> takes) of the git repository
    /// holding <paramref name="siteRepository"/>. Throws <see cref="SiteSourceException"/> with a
    /// message for the user when there is no repository or no such revision.
    /// </summary>
    public static GitRevisionFiles Open(string siteRepository, string revision)
    {
        var full = Path.GetFullPath(siteRepository);
        var gitDir = Repository.Discover(full)
            ?? throw new SiteSourceException($"{siteRepository}: not inside a git repository, so revision '{revision}' cannot be read (plan without --from/--to to use the files on disk)");
        var repository = new Repository(gitDir);
        try
        {
            // A bare repository (the server's cache of the site repository) is the site repository as a whole.
            var workdir = repository.Info.WorkingDirectory
                ?? (repository.Info.IsBare && Path.TrimEndingDirectorySeparator(Path.GetFullPath(gitDir)) == Path.TrimEndingDirectorySeparator(full) ? full : null)
                ?? throw new SiteSourceException($"{gitDir}: a bare repository; point --repo at a checkout");
            var prefix = Path.GetRelativePath(Path.GetFullPath(workdir), full).Replace(Path.DirectorySeparatorChar, '/');
            prefix = prefix == "." ? "" : prefix + "/";
            var commit = Lookup(repository, revision)
                ?? throw new SiteSourceException($"{siteRepository}: unknown revision '{revision}' (git rev-parse finds no commit of that name)");
            return new GitRevisionFiles(repository, commit.Tree, prefix, revision) { CommitId = commit.Sha };
        }
        catch
        {
            repository.Dispose();
            throw;
        }
    }

    private static Commit? Lookup(Repository repository, string revision)
    {
        try
        {
            return repository.Lookup(revision)?.Peel<Commit>();
        }
        catch (LibGit2SharpException)
        {
            return null;
        }
    }

    public string? ReadText(string path) => Entry(_prefix + path)?.Target is Blob blob ? blob.GetContentText() : null;

    public string? Fingerprint(string path) => Entry(_prefix + path) is { TargetType: TreeEntryTargetType.Blob } entry ? entry.Target.Sha : null;

    public IReadOnlyList<string> List(string directory)
    {
        if (Entry(_prefix + directory.TrimEnd('/'))?.Target is not Tree tree)
        {
            return [];
        }

        var result = new List<string>();
        Collect(tree, directory.TrimEnd('/'), result);
        result.Sort(StringComparer.Ordinal);
        return result;
    }

    public IReadOnlyList<string> Directories(string directory)
    {
        var entries = Entries((_prefix + directory).TrimEnd('/'));
        return entries is null ? [] : [.. entries.Values.Where(e => e.TargetType == TreeEntryTargetType.Tree).Select(e => e.Name).Order(StringComparer.Ordinal)];
    }

    /// <summary>The entry at <paramref name="path"/> (from the commit's root); null when there is none.</summary>
    private TreeEntry? Entry(string path)
    {
        var slash = path.LastIndexOf('/');
        var entries = Entries(slash < 0 ? "" : path[..slash]);
        return entries is not null && entries.TryGetValue(path[(slash + 1)..], out var entry) ? entry : null;
    }

    /// <summary>The entries of the directory at <paramref name="directory"/> (from the commit's root), each directory read once; null when it is not a directory.</summary>
    private Dictionary<string, TreeEntry>? Entries(string directory)
    {
        if (_directories.TryGetValue(directory, out var known))
        {
            return known;
        }

        var tree = directory.Length == 0 ? _tree : Entry(directory)?.Target as Tree;
        var entries = tree?.ToDictionary(e => e.Name, StringComparer.Ordinal);
        _directories[directory] = entries;
        return entries;
    }

    private static void Collect(Tree tree, string path, List<string> into)
    {
        foreach (var entry in tree)
        {
            var child = path.Length == 0 ? entry.Name : $"{path}/{entry.Name}";
            switch (entry.Target)
            {
                case Tree sub:
                    Collect(sub, child, into);
                    break;
                case Blob:
                    into.Add(child);
                    break;
            }
        }
    }

    public void Dispose() => _repository.Dispose();
}
