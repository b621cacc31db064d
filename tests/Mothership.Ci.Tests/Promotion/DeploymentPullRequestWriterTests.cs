using System.Text;
using Microsoft.Extensions.Time.Testing;
using Mothership.Ci.Forge;
using Mothership.Ci.Promotion;
using Mothership.Testing.GitHub;

namespace Mothership.Ci.Tests.Promotion;

/// <summary>Deployment pull requests opened and updated through GitHubForge against the fake GitHub.</summary>
public sealed class DeploymentPullRequestWriterTests : IAsyncLifetime
{
    private const string Main = "0123456789abcdef0123456789abcdef01234567";
    private const string A = "1111111111111111111111111111111111111111";
    private const string B = "2222222222222222222222222222222222222222";
    private const string C = "3333333333333333333333333333333333333333";
    private static readonly RepositoryName Repo = new("alienware", "cloud");

    private FakeGitHub _github = null!;
    private FakeRepository _repo = null!;
    private DeploymentPullRequestWriter _writer = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _github = await FakeGitHub.StartAsync(new FakeGitHubOptions { Login = "mothership-bot" }, Ct);
        _repo = _github.AddRepository("alienware", "cloud");
        _repo.SetBranch("main", Main);
        _repo.SetFile(Main, "cloud.yaml", "kind: Cloud\n");
        var forge = GitHubForge.WithToken(new GitHubForgeOptions { ApiUrl = _github.BaseUri }, "token", new FakeTimeProvider(TimeProvider.System.GetUtcNow()));
        _writer = new DeploymentPullRequestWriter(forge, forge);
    }

    public async ValueTask DisposeAsync()
    {
        Assert.Empty(_github.Errors);
        await _github.DisposeAsync();
    }

    private static DeploymentRequest Request(string site, string to, int number = 1) => new()
    {
        Site = site, Environment = "stage", Number = number, From = A, To = to,
        RepoLink = "https://github.com/alienware/cloud", Label = "area/alienware/stage",
    };

    /// <summary>The revision the pin file names at a ref, read as a person would see it on GitHub.</summary>
    private string? Pin(string gitRef, string site) =>
        _repo.FileAt(gitRef, DeploymentPullRequests.PinPath(site)) is { } bytes ? DeploymentPullRequests.ReadPin(Encoding.UTF8.GetString(bytes)) : null;

    [Fact(Timeout = 30_000)]
    public async Task OpenOrUpdateAsync_FirstTime_OpensOnePullRequestWithThePinFromTheBaseTip()
    {
        var (pr, changed) = await _writer.OpenOrUpdateAsync(Repo, "main", Request("stage-kr1", B), Ct);

        Assert.True(changed);
        Assert.Equal(("Deploy stage-kr1 #1", "mothership/deploy/stage-kr1", "main"), (pr.Title, pr.HeadRef, pr.BaseRef));
        var commit = Assert.Single(_repo.Commits);
        Assert.Equal((Main, "sites/stage-kr1/deployed.yaml"), (commit.Parent, commit.Path));
        Assert.Equal(B, Pin(pr.HeadSha, "stage-kr1"));
        Assert.Equal(("stage-kr1", A, B), DeploymentPullRequests.ReadMark(_repo.Issue(pr.Number)!.Body));
    }

    private static RolloutRequest Rollout(string waiting) => new()
    {
        Rollout = "prod-2222222-abcde", Environment = "prod", To = B, Actor = "promotion", Status = "Running",
        Waves = [new RolloutRequestWave("canary", ["prod-a"], null, [], null, false), new RolloutRequestWave("wave-1", ["prod-b", "prod-c"], "before-wave-1", ["sre"], null, waiting == "wave-1")],
    };

    [Fact(Timeout = 30_000)]
    public async Task OpenOrUpdateAsync_Rollout_OnePullRequestPinningTheEnvironmentThenTheBodyFollowsTheGate()
    {
        var (pr, opened) = await _writer.OpenOrUpdateAsync(Repo, "main", Rollout(""), Ct);
        var (same, again) = await _writer.OpenOrUpdateAsync(Repo, "main", Rollout(""), Ct);
        var (waiting, changed) = await _writer.OpenOrUpdateAsync(Repo, "main", Rollout("wave-1"), Ct);

        Assert.Equal((true, false, true), (opened, again, changed));
        Assert.Equal((pr.Number, pr.Number), (same.Number, waiting.Number));
        Assert.Equal(("Roll out prod to 222222222222", "mothership/rollout/prod", "main"), (pr.Title, pr.HeadRef, pr.BaseRef));
        var commit = Assert.Single(_repo.Commits);
        Assert.Equal((Main, "environments/prod/deployed.yaml"), (commit.Parent, commit.Path));
        Assert.Equal(B, _repo.FileAt(pr.HeadSha, "environments/prod/deployed.yaml") is { } bytes ? DeploymentPullRequests.ReadPin(Encoding.UTF8.GetString(bytes)) : null);
        var body = _repo.Issue(pr.Number)!.Body;
        Assert.Equal(("prod-2222222-abcde", "prod", B), DeploymentPullRequests.ReadRolloutMark(body));
        Assert.Contains("| wave-1 | 2: prod-b, prod-c | `before-wave-1`: **waits for approval** by one of: sre |", body, StringComparison.Ordinal);
        Assert.Equal(pr.Number, (await _writer.FindRolloutAsync(Repo, "prod", Ct))?.Number);
        Assert.Null(await _writer.FindAsync(Repo, "prod", Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task OpenOrUpdateAsync_SameRequestAgain_WritesNothing()
    {
        var (first, _) = await _writer.OpenOrUpdateAsync(Repo, "main", Request("stage-kr1", B), Ct);
        var writes = _github.Requests.Count(r => r.Method is "POST" or "PUT" or "PATCH");

        var (again, changed) = await _writer.OpenOrUpdateAsync(Repo, "main", Request("stage-kr1", B), Ct);

        Assert.False(changed);
        Assert.Equal(first.Number, again.Number);
        Assert.Equal(writes, _github.Requests.Count(r => r.Method is "POST" or "PUT" or "PATCH"));
    }

    [Fact(Timeout = 30_000)]
    public async Task OpenOrUpdateAsync_NewerRevision_SamePullRequestRebuiltFromTheNewBaseTip()
    {
        var (first, _) = await _writer.OpenOrUpdateAsync(Repo, "main", Request("stage-kr1", B), Ct);
        const string NewMain = "4444444444444444444444444444444444444444";
        _repo.SetBranch("main", NewMain);

        var (updated, changed) = await _writer.OpenOrUpdateAsync(Repo, "main", Request("stage-kr1", C, number: 2), Ct);

        Assert.True(changed);
        Assert.Equal(first.Number, updated.Number);
        Assert.Equal("Deploy stage-kr1 #2", updated.Title);
        Assert.Equal(NewMain, _repo.Commits[^1].Parent);
        Assert.Equal(C, Pin("mothership/deploy/stage-kr1", "stage-kr1"));
        Assert.Single(await GitHubForge.WithToken(new GitHubForgeOptions { ApiUrl = _github.BaseUri }, "token").ListOpenPullRequestsAsync(Repo, Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task OpenOrUpdateAsync_TwoSites_OnePullRequestEach()
    {
        var (kr1, _) = await _writer.OpenOrUpdateAsync(Repo, "main", Request("stage-kr1", B), Ct);
        var (us1, _) = await _writer.OpenOrUpdateAsync(Repo, "main", Request("stage-us1", B), Ct);

        Assert.NotEqual(kr1.Number, us1.Number);
        Assert.Equal(kr1.Number, (await _writer.FindAsync(Repo, "stage-kr1", Ct))!.Number);
        Assert.Equal(us1.Number, (await _writer.FindAsync(Repo, "stage-us1", Ct))!.Number);
        Assert.Null(await _writer.FindAsync(Repo, "prod-kr1", Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task OpenOrUpdateAsync_MissingBaseBranch_SaysWhichSettingNamesIt()
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => _writer.OpenOrUpdateAsync(Repo, "release", Request("stage-kr1", B), Ct));

        Assert.Contains("branch 'release' of alienware/cloud does not exist", e.Message, StringComparison.Ordinal);
    }
}
