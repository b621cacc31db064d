using Microsoft.Extensions.Time.Testing;
using Mothership.Ci.Forge;
using Mothership.Testing.GitHub;

namespace Mothership.Ci.Tests.Forge;

/// <summary><see cref="IRepositoryWrites"/> of GitHubForge through Octokit against the fake GitHub: branches, files, pull requests, tags, releases.</summary>
public sealed class RepositoryWritesTests : IAsyncLifetime
{
    private const string Base = "0123456789abcdef0123456789abcdef01234567";
    private static readonly RepositoryName Repo = new("org", "cloud");

    private readonly FakeTimeProvider _time = new(TimeProvider.System.GetUtcNow());
    private FakeGitHub _github = null!;
    private FakeRepository _repo = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _github = await FakeGitHub.StartAsync(new FakeGitHubOptions { Token = "secret-token", Login = "mothership-bot" }, Ct);
        _repo = _github.AddRepository("org", "cloud");
        _repo.SetBranch("main", Base);
        _repo.SetFile(Base, "cloud.yaml", "kind: Cloud\n");
    }

    public async ValueTask DisposeAsync()
    {
        Assert.Empty(_github.Errors);
        await _github.DisposeAsync();
    }

    private GitHubForge Forge() => GitHubForge.WithToken(new GitHubForgeOptions { ApiUrl = _github.BaseUri }, "secret-token", _time);

    [Fact(Timeout = 30_000)]
    public async Task SetBranchAsync_MissingThenExisting_CreatesThenMovesEvenBackwards()
    {
        var forge = Forge();

        await forge.SetBranchAsync(Repo, "mothership/deploy-stage-kr1", Base, Ct);
        var sha = await forge.PutFileAsync(Repo, "mothership/deploy-stage-kr1", "sites/stage-kr1/deployed.yaml", "revision: b\n", "Deploy stage-kr1", Ct);
        await forge.SetBranchAsync(Repo, "mothership/deploy-stage-kr1", Base, Ct);

        Assert.NotNull(sha);
        Assert.Equal(Base, _repo.BranchSha("mothership/deploy-stage-kr1"));
    }

    [Fact(Timeout = 30_000)]
    public async Task PutFileAsync_NewChangedAndSameContent_CommitsTwiceThenNothing()
    {
        var forge = Forge();
        await forge.SetBranchAsync(Repo, "deploy", Base, Ct);

        var first = await forge.PutFileAsync(Repo, "deploy", "sites/s/deployed.yaml", "revision: a\n", "pin a", Ct);
        var second = await forge.PutFileAsync(Repo, "deploy", "sites/s/deployed.yaml", "revision: b\n", "pin b", Ct);
        var same = await forge.PutFileAsync(Repo, "deploy", "sites/s/deployed.yaml", "revision: b\n", "pin b again", Ct);

        Assert.Null(same);
        Assert.Equal(
            [(first!, (string?)Base, "pin a"), (second!, first, "pin b")],
            _repo.Commits.Select(c => (c.Sha, c.Parent, c.Message)));
        Assert.Equal(second, _repo.BranchSha("deploy"));
        var content = await forge.GetFileContentAsync(Repo, "sites/s/deployed.yaml", "deploy", Ct);
        Assert.Equal("revision: b\n", System.Text.Encoding.UTF8.GetString(content!));
        Assert.NotNull(await forge.GetFileContentAsync(Repo, "cloud.yaml", "deploy", Ct));
        Assert.Null(await forge.GetFileContentAsync(Repo, "sites/s/deployed.yaml", "main", Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task CreateAndUpdatePullRequestAsync_OpensFromTheBranchThenEditsTitleAndBody()
    {
        var forge = Forge();
        await forge.SetBranchAsync(Repo, "deploy", Base, Ct);
        var head = await forge.PutFileAsync(Repo, "deploy", "pin.yaml", "revision: b\n", "pin", Ct);

        var created = await forge.CreatePullRequestAsync(Repo, "Deploy stage-kr1 #1", "deploy", "main", "range a...b", Ct);
        var updated = await forge.UpdatePullRequestAsync(Repo, created.Number, "Deploy stage-kr1 #2", "range a...c", Ct);

        Assert.Equal(("Deploy stage-kr1 #1", "mothership-bot", head, "deploy", "main", Base), (created.Title, created.Author, created.HeadSha, created.HeadRef, created.BaseRef, created.BaseSha));
        Assert.Equal("Deploy stage-kr1 #2", updated.Title);
        Assert.Equal("range a...c", _repo.Issue(created.Number)!.Body);
        var open = Assert.Single(await forge.ListOpenPullRequestsAsync(Repo, Ct));
        Assert.Equal(created.Number, open.Number);
    }

    [Fact(Timeout = 30_000)]
    public async Task ClosePullRequestAsync_Open_ClosedNotMergedAndNoLongerListed()
    {
        var forge = Forge();
        await forge.SetBranchAsync(Repo, "rollout", Base, Ct);
        await forge.PutFileAsync(Repo, "rollout", "pin.yaml", "revision: b\n", "pin", Ct);
        var created = await forge.CreatePullRequestAsync(Repo, "Roll out prod", "rollout", "main", "", Ct);

        var closed = await forge.ClosePullRequestAsync(Repo, created.Number, Ct);

        Assert.Equal((PullRequestState.Closed, false), (closed.State, closed.Merged));
        Assert.True(_repo.Issue(created.Number)!.Closed);
        Assert.Empty(await forge.ListOpenPullRequestsAsync(Repo, Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task CreatePullRequestAsync_SecondForTheSameBranch_RefusedAsGitHubDoes()
    {
        var forge = Forge();
        await forge.SetBranchAsync(Repo, "deploy", Base, Ct);
        await forge.PutFileAsync(Repo, "deploy", "pin.yaml", "revision: b\n", "pin", Ct);
        await forge.CreatePullRequestAsync(Repo, "Deploy", "deploy", "main", "", Ct);

        var e = await Assert.ThrowsAsync<Octokit.ApiValidationException>(() => forge.CreatePullRequestAsync(Repo, "Deploy", "deploy", "main", "", Ct));

        Assert.Contains("A pull request already exists for org:deploy.", e.ApiError.Errors.Select(x => x.Message));
    }

    [Fact(Timeout = 30_000)]
    public async Task CreateTagAsync_NewThenExisting_TrueThenFalseAndUnmoved()
    {
        var forge = Forge();

        Assert.True(await forge.CreateTagAsync(Repo, "stage/1", Base, Ct));
        Assert.False(await forge.CreateTagAsync(Repo, "stage/1", new string('f', 40), Ct));

        Assert.Equal(Base, _repo.TagSha("stage/1"));
    }

    [Fact(Timeout = 30_000)]
    public async Task ListTagsAsync_Prefix_OnlyThoseTagsWithTheirCommits()
    {
        var forge = Forge();
        await forge.CreateTagAsync(Repo, "stage/1", Base, Ct);
        await forge.CreateTagAsync(Repo, "stage/2", new string('b', 40), Ct);
        await forge.CreateTagAsync(Repo, "prod/1", Base, Ct);

        var stage = await forge.ListTagsAsync(Repo, "stage/", Ct);
        var none = await forge.ListTagsAsync(Repo, "v", Ct);

        Assert.Equal([("stage/1", Base), ("stage/2", new string('b', 40))], stage.OrderBy(t => t.Key).Select(t => (t.Key, t.Value)));
        Assert.Empty(none);
        Assert.Equal("/repos/org/cloud/git/matching-refs/tags/stage/", _github.Requests.First(r => r.Path.Contains("matching-refs", StringComparison.Ordinal)).Path);
    }

    [Fact(Timeout = 30_000)]
    public async Task CreateReleaseAsync_ThenGetByTag_SameNotes()
    {
        var forge = Forge();

        Assert.Null(await forge.GetReleaseAsync(Repo, "v1.2.0", Ct));
        var created = await forge.CreateReleaseAsync(Repo, "v1.2.0", Base, "v1.2.0", "## Changes by Kind\n", Ct);
        var read = await forge.GetReleaseAsync(Repo, "v1.2.0", Ct);

        Assert.Equal(created, read);
        Assert.Equal(("v1.2.0", "## Changes by Kind\n"), (read!.Tag, read.Body));
        Assert.Equal(Base, _repo.TagSha("v1.2.0"));
        Assert.EndsWith("/org/cloud/releases/tag/v1.2.0", read.Link, StringComparison.Ordinal);
    }
}
