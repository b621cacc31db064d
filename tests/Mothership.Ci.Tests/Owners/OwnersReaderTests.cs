using Mothership.Ci.Forge;
using Mothership.Ci.Owners;
using Mothership.Testing.GitHub;

namespace Mothership.Ci.Tests.Owners;

/// <summary>Reading OWNERS files through the forge (the fake GitHub): only the directories a change needs, cached per commit, bounded.</summary>
public sealed class OwnersReaderTests
{
    private const string Sha1 = "1111111111111111111111111111111111111111";
    private const string Sha2 = "2222222222222222222222222222222222222222";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 30_000)]
    public async Task LoadAsync_ChangedFiles_ReadsTheirDirectoriesAndParentsAtTheCommit()
    {
        await using var github = await FakeGitHub.StartAsync(new FakeGitHubOptions { Token = "t" }, Ct);
        var repo = github.AddRepository("octo", "hello");
        repo.SetFile(Sha1, "OWNERS", "approvers: [root]");
        repo.SetFile(Sha1, "OWNERS_ALIASES", "aliases: {team: [ann, bo]}");
        repo.SetFile(Sha1, "a/b/OWNERS", "approvers: [team]");
        repo.SetFile(Sha1, "elsewhere/OWNERS", "approvers: [nobody-reads-me]");
        repo.SetFile(Sha2, "OWNERS", "approvers: [someone-else]");
        var reader = new OwnersReader(Forge(github));

        var loaded = await reader.LoadAsync(new RepositoryName("octo", "hello"), Sha1, ["a/b/c/x.go", "a/y.go", "z.md"], Ct);

        Assert.Empty(loaded.Diagnostics);
        Assert.Equal(["ann", "bo", "root"], loaded.Owners.Approvers("a/b/c/x.go").Order(StringComparer.Ordinal));
        Assert.Equal(["", "a/b"], loaded.Owners.Files.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(
            ["OWNERS", "OWNERS_ALIASES", "a/OWNERS", "a/b/OWNERS", "a/b/c/OWNERS"],
            ContentReads(github).Order(StringComparer.Ordinal));
    }

    [Fact(Timeout = 30_000)]
    public async Task LoadAsync_SameCommitAgain_ReadsOnlyNewDirectories()
    {
        await using var github = await FakeGitHub.StartAsync(new FakeGitHubOptions { Token = "t" }, Ct);
        var repo = github.AddRepository("octo", "hello");
        repo.SetFile(Sha1, "OWNERS", "approvers: [root]");
        var reader = new OwnersReader(Forge(github));
        var repository = new RepositoryName("octo", "hello");
        await reader.LoadAsync(repository, Sha1, ["a/x"], Ct);

        await reader.LoadAsync(repository, Sha1, ["a/x", "b/y"], Ct);

        Assert.Equal(["OWNERS", "OWNERS_ALIASES", "a/OWNERS", "b/OWNERS"], ContentReads(github).Order(StringComparer.Ordinal));
    }

    [Fact(Timeout = 30_000)]
    public async Task LoadAsync_MoreCommitsThanCapacity_ForgetsTheOldest()
    {
        await using var github = await FakeGitHub.StartAsync(new FakeGitHubOptions { Token = "t" }, Ct);
        var repo = github.AddRepository("octo", "hello");
        repo.SetFile(Sha1, "OWNERS", "approvers: [one]");
        repo.SetFile(Sha2, "OWNERS", "approvers: [two]");
        var reader = new OwnersReader(Forge(github)) { Capacity = 1 };
        var repository = new RepositoryName("octo", "hello");

        Assert.Equal(["one"], (await reader.LoadAsync(repository, Sha1, ["f"], Ct)).Owners.Approvers("f"));
        Assert.Equal(["two"], (await reader.LoadAsync(repository, Sha2, ["f"], Ct)).Owners.Approvers("f"));
        Assert.Equal(["one"], (await reader.LoadAsync(repository, Sha1, ["f"], Ct)).Owners.Approvers("f"));

        Assert.Equal(6, ContentReads(github).Count);
    }

    [Fact(Timeout = 30_000)]
    public async Task LoadAsync_BadFiles_DiagnosticsAndTheRestUsed()
    {
        await using var github = await FakeGitHub.StartAsync(new FakeGitHubOptions { Token = "t" }, Ct);
        var repo = github.AddRepository("octo", "hello");
        repo.SetFile(Sha1, "OWNERS", "approvers: [root]");
        repo.SetFile(Sha1, "OWNERS_ALIASES", "aliases: [oops");
        repo.SetFile(Sha1, "a/OWNERS", "- not a mapping");
        var reader = new OwnersReader(Forge(github));

        var loaded = await reader.LoadAsync(new RepositoryName("octo", "hello"), Sha1, ["a/x"], Ct);

        Assert.Equal(["OWNERS_ALIASES", "a/OWNERS"], loaded.Diagnostics.Select(d => d.Location.File).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(["root"], loaded.Owners.Approvers("a/x"));
    }

    private static GitHubForge Forge(FakeGitHub github) => GitHubForge.WithToken(new GitHubForgeOptions { ApiUrl = github.BaseUri }, "t");

    private static List<string> ContentReads(FakeGitHub github) =>
        [.. github.Requests.Select(r => r.Path).Where(p => p.Contains("/contents/", StringComparison.Ordinal)).Select(p => p[(p.IndexOf("/contents/", StringComparison.Ordinal) + "/contents/".Length)..])];
}
