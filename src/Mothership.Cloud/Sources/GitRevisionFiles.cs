using LibGit2Sharp;

namespace Mothership.Cloud.Sources;

/// <summary>
/// The site repository as committed at one revision, read from git's objects (LibGit2Sharp): no
/// checkout, so planning between two revisions leaves the working tree alone. The site repository
/// may be a folder inside a larger git repository; paths are taken relative to that folder.
/// </summary>
public sealed class GitRevisionFiles : IRepositoryFiles, IDisposable
{
    private readonly Repository _repository;
    private readonly Tree _tree;
    private readonly string _prefix;

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

    public string? ReadText(string path) =>
        _tree[_prefix + path]?.Target is Blob blob ? blob.GetContentText() : null;

    public string? Fingerprint(string path) => _tree[_prefix + path]?.Target is Blob blob ? blob.Sha : null;

    public IReadOnlyList<string> List(string directory)
    {
        if (_tree[_prefix + directory]?.Target is not Tree tree)
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
        var tree = directory.Length == 0 && _prefix.Length == 0 ? _tree : _tree[_prefix + directory]?.Target as Tree;
        return tree is null ? [] : [.. tree.Where(e => e.TargetType == TreeEntryTargetType.Tree).Select(e => e.Name).Order(StringComparer.Ordinal)];
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
