using LibGit2Sharp;

namespace Mothership.Ci.Tests.Releases;

/// <summary>
/// A real git repository with a release's history on <c>main</c> after tag <c>v1.0.0</c>: merge
/// commits and squash merges of pull requests 1, 2, 3 and 5, a direct commit, a number (4) that
/// GitHub knows as an issue, and a squash-titled commit (#9) only on a merged branch, which the
/// first-parent walk must not count.
/// </summary>
internal sealed class ReleaseHistory : IDisposable
{
    private static readonly Signature Who = new("Dev", "dev@example.com", new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mship-relnotes-");
    private int _files;

    public ReleaseHistory()
    {
        using var repo = new Repository(Repository.Init(_dir.FullName));
        var root = Commit(repo, "Initial import");
        repo.ApplyTag("v1.0.0", root.Sha);
        var side = Commit(repo, "Side work (#9)", root);
        var m1 = Commit(repo, "Merge pull request #1 from alice/feature\n\nAdd a feature", root, side);
        var s2 = Commit(repo, "Fix the scheduler (#2)", m1);
        var direct = Commit(repo, "Fix a typo", s2);
        var s3 = Commit(repo, "Drop a flag (#3)\n\n* squashed commit", direct);
        var s4 = Commit(repo, "Close an issue (#4)", s3);
        var wip = Commit(repo, "WIP", s4);
        var m5 = Commit(repo, "Merge pull request #5 from bob/api\n\nChange the API", s4, wip);
        repo.Refs.Add("refs/heads/main", m5.Id, allowOverwrite: true);
        repo.Refs.UpdateTarget("HEAD", "refs/heads/main");
        FromSha = root.Sha;
        ToSha = m5.Sha;
    }

    public string Path => _dir.FullName;

    public string FromSha { get; }

    public string ToSha { get; }

    public void Dispose()
    {
        foreach (var file in _dir.EnumerateFiles("*", SearchOption.AllDirectories))
        {
            file.Attributes = FileAttributes.Normal;
        }

        _dir.Delete(recursive: true);
    }

    private Commit Commit(Repository repo, string message, params Commit[] parents)
    {
        var tree = new TreeDefinition();
        if (parents.Length > 0)
        {
            tree = TreeDefinition.From(parents[0].Tree);
        }

        var blob = repo.ObjectDatabase.CreateBlob(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(message)));
        tree.Add($"file{++_files}.txt", blob, Mode.NonExecutableFile);
        return repo.ObjectDatabase.CreateCommit(Who, Who, message + "\n", repo.ObjectDatabase.CreateTree(tree), parents, prettifyMessage: false);
    }
}
