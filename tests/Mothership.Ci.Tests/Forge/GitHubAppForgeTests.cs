using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using Mothership.Ci.Forge;
using Mothership.Testing.GitHub;

namespace Mothership.Ci.Tests.Forge;

/// <summary>GitHubAppForge against the fake GitHub in App mode: JWT, installations, tokens and their renewal, check runs.</summary>
public sealed class GitHubAppForgeTests : IAsyncLifetime
{
    private const long AppId = 4242;
    private const string Sha = "0123456789abcdef0123456789abcdef01234567";
    private static readonly RepositoryName Repo = new("octo", "hello");

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero));
    private readonly RSA _key = RSA.Create(2048);
    private FakeGitHub _github = null!;
    private FakeGitHubApp _app = null!;
    private FakeRepository _repo = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _app = new FakeGitHubApp(AppId, _key);
        _github = await FakeGitHub.StartAsync(new FakeGitHubOptions { App = _app, Time = _time }, Ct);
        _repo = _github.AddRepository("octo", "hello");
    }

    public async ValueTask DisposeAsync()
    {
        Assert.Empty(_github.Errors);
        await _github.DisposeAsync();
        _key.Dispose();
    }

    private GitHubAppForge Forge() =>
        new(new GitHubForgeOptions { ApiUrl = _github.BaseUri, MaxAttempts = 1 }, new GitHubAppCredentials(AppId, CopyOf(_key)), _time);

    private static RSA CopyOf(RSA key)
    {
        var copy = RSA.Create();
        copy.ImportRSAPrivateKey(key.ExportRSAPrivateKey(), out _);
        return copy;
    }

    [Fact(Timeout = 30_000)]
    public async Task CreateStatusAsync_AppInstalledOnOwner_OneLookupOneTokenThenEveryCallWithIt()
    {
        var installation = _app.Install("octo");
        var forge = Forge();

        await forge.CreateStatusAsync(Repo, Sha, CommitState.Pending, "unit", "Job triggered.", null, Ct);
        await forge.CreateStatusAsync(Repo, Sha, CommitState.Success, "unit", "Job succeeded.", null, Ct);

        var token = Assert.Single(_app.Tokens);
        Assert.Equal(installation, token.InstallationId);
        Assert.Single(_github.Requests, r => r.Path == "/repos/octo/hello/installation");
        Assert.All(_github.Requests.Where(r => r.Path.EndsWith("/statuses/" + Sha, StringComparison.Ordinal)),
            r => Assert.Equal("token " + token.Token, r.Authorization, ignoreCase: true));
        Assert.StartsWith("Bearer ey", _github.Requests.Single(r => r.Path.EndsWith("/access_tokens", StringComparison.Ordinal)).Authorization, StringComparison.Ordinal);
        Assert.Equal(2, _repo.Statuses.Count);
    }

    [Fact(Timeout = 30_000)]
    public async Task RepositoryWrites_AsAnApp_BranchFilePullRequestAndReleaseWithTheInstallationsToken()
    {
        _app.Install("octo");
        _repo.SetBranch("main", Sha);
        var forge = Forge();

        await forge.SetBranchAsync(Repo, "deploy", Sha, Ct);
        var head = await forge.PutFileAsync(Repo, "deploy", "pin.yaml", "revision: b\n", "pin", Ct);
        var pr = await forge.CreatePullRequestAsync(Repo, "Deploy", "deploy", "main", "body", Ct);
        await forge.UpdatePullRequestAsync(Repo, pr.Number, "Deploy #2", "body 2", Ct);
        Assert.True(await forge.CreateTagAsync(Repo, "stage/1", Sha, Ct));
        await forge.CreateReleaseAsync(Repo, "v1.0.0", Sha, "v1.0.0", "notes", Ct);

        var token = Assert.Single(_app.Tokens);
        Assert.Equal((head, "Deploy #2"), (_repo.BranchSha("deploy"), _repo.Issue(pr.Number)!.Title));
        Assert.Equal("notes", Assert.Single(_repo.Releases).Body);
        Assert.All(_github.Requests.Where(r => r.Method is "POST" or "PUT" or "PATCH" && !r.Path.EndsWith("/access_tokens", StringComparison.Ordinal)),
            r => Assert.Equal("token " + token.Token, r.Authorization, ignoreCase: true));
    }

    [Fact(Timeout = 30_000)]
    public async Task TokenForAsync_Repository_TheInstallationsTokenTheForgeUsesToo()
    {
        _app.Install("octo");
        var forge = Forge();

        var token = await forge.TokenForAsync(Repo, Ct);
        await forge.CreateStatusAsync(Repo, Sha, CommitState.Pending, "unit", "Job triggered.", null, Ct);

        Assert.Equal(Assert.Single(_app.Tokens).Token, token);
    }

    [Fact(Timeout = 30_000)]
    public async Task IsOrgMemberAsync_OtherOrganisation_AsksWithThatOrganisationsInstallation()
    {
        _app.Install("octo");
        var other = _app.Install("acme");
        _github.Organization("acme").AddMember("alice");
        var forge = Forge();

        await forge.CreateStatusAsync(Repo, Sha, CommitState.Pending, "unit", null, null, Ct);
        var member = await forge.IsOrgMemberAsync("acme", "alice", Ct);

        Assert.True(member);
        var acmeToken = Assert.Single(_app.Tokens, t => t.InstallationId == other);
        Assert.Equal("token " + acmeToken.Token, _github.Requests.Single(r => r.Path == "/orgs/acme/members/alice").Authorization, ignoreCase: true);
        Assert.Single(_github.Requests, r => r.Path == "/orgs/acme/installation");
    }

    [Fact(Timeout = 30_000)]
    public async Task TokenAsync_NearingExpiry_RenewedFiveMinutesBefore()
    {
        var installation = _app.Install("octo");
        var forge = Forge();
        await forge.CreateStatusAsync(Repo, Sha, CommitState.Pending, "unit", null, null, Ct);

        _time.Advance(TimeSpan.FromMinutes(54));
        await forge.CreateStatusAsync(Repo, Sha, CommitState.Pending, "unit", null, null, Ct);
        Assert.Single(_app.Tokens);

        _time.Advance(TimeSpan.FromMinutes(2)); // 4 minutes left: renewed before use
        await forge.CreateStatusAsync(Repo, Sha, CommitState.Success, "unit", null, null, Ct);

        Assert.Equal(2, _app.Tokens.Count);
        Assert.All(_app.Tokens, t => Assert.Equal(installation, t.InstallationId));
        Assert.Equal("token " + _app.Tokens[1].Token, _github.Requests[^1].Authorization, ignoreCase: true);
        Assert.Equal(3, _repo.Statuses.Count);
    }

    [Fact(Timeout = 30_000)]
    public async Task FakeGitHub_ExpiredTokenOrForeignJwt_401WithGitHubsMessage()
    {
        _app.Install("octo");
        var forge = Forge();
        var token = await forge.Tokens.TokenAsync(await forge.Tokens.InstallationForRepositoryAsync(Repo, Ct), Ct);
        using var http = new HttpClient { BaseAddress = _github.BaseUri };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("test");

        _time.Advance(TimeSpan.FromMinutes(61));
        using var expired = new HttpRequestMessage(HttpMethod.Get, "repos/octo/hello/commits/" + Sha + "/status");
        expired.Headers.Authorization = new AuthenticationHeaderValue("token", token);
        var expiredAnswer = await http.SendAsync(expired, Ct);
        using var stranger = RSA.Create(2048);
        using var foreign = new HttpRequestMessage(HttpMethod.Post, "app/installations/1/access_tokens");
        foreign.Headers.Authorization = new AuthenticationHeaderValue("Bearer", GitHubAppJwt.Create(AppId, stranger, _time.GetUtcNow()));
        var foreignAnswer = await http.SendAsync(foreign, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, expiredAnswer.StatusCode);
        Assert.Contains("\"message\":\"Bad credentials\"", await expiredAnswer.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, foreignAnswer.StatusCode);
        Assert.Contains("A JSON web token could not be decoded", await foreignAnswer.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task CreateStatusAsync_AppNotInstalled_SaysSo()
    {
        var forge = Forge();

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => forge.CreateStatusAsync(Repo, Sha, CommitState.Pending, "unit", null, null, Ct));

        Assert.Equal("GitHub App 4242 is not installed on repository octo/hello: install it there (GitHub answered 404)", e.Message);
    }

    [Fact(Timeout = 30_000)]
    public async Task CheckRuns_CreateListUpdate_OneRunCompletedWithAnnotations()
    {
        _app.Install("octo");
        var forge = Forge();
        var report = new CheckRunReport { Name = "unit", HeadSha = Sha, Status = CheckRunStatus.InProgress, ExternalId = "uid-1", DetailsUrl = "https://ci.example.com/ui/taskruns/r" };

        var created = await forge.CreateCheckRunAsync(Repo, report, Ct);
        var listed = await forge.ListCheckRunsAsync(Repo, Sha, "unit", Ct);
        var updated = await forge.UpdateCheckRunAsync(Repo, created.Id, report with
        {
            Status = CheckRunStatus.Completed,
            Conclusion = CheckRunConclusion.Failure,
            CompletedAt = _time.GetUtcNow(),
            Output = new CheckRunOutput("Job failed.", "the end of the log", [new CheckAnnotation("main.go", 3, 7, "undefined: x"), new CheckAnnotation("a.c", 9, null, "boom")]),
        }, Ct);

        Assert.Equal((CheckRunStatus.InProgress, (CheckRunConclusion?)null, "uid-1"), (created.Status, created.Conclusion, created.ExternalId));
        Assert.Equal(created.Id, Assert.Single(listed).Id);
        Assert.Equal((CheckRunStatus.Completed, (CheckRunConclusion?)CheckRunConclusion.Failure), (updated.Status, updated.Conclusion));
        var stored = Assert.Single(_repo.CheckRuns);
        Assert.Equal(("completed", "failure", "Job failed.", "the end of the log"), (stored.Status, stored.Conclusion, stored.Title, stored.Summary));
        Assert.Equal(
            [new FakeCheckAnnotation("main.go", 3, 3, 7, 7, "failure", "undefined: x", null), new FakeCheckAnnotation("a.c", 9, 9, null, null, "failure", "boom", null)],
            stored.Annotations);
    }

    [Fact(Timeout = 30_000)]
    public async Task CreateCheckRunAsync_WithAToken_RefusedAsGitHubRefusesIt()
    {
        await using var github = await FakeGitHub.StartAsync(new FakeGitHubOptions { Token = "t" }, Ct);
        github.AddRepository("octo", "hello");
        var forge = GitHubForge.WithToken(new GitHubForgeOptions { ApiUrl = github.BaseUri, MaxAttempts = 1 }, "t");

        var e = await Assert.ThrowsAsync<Octokit.ForbiddenException>(() => forge.CreateCheckRunAsync(Repo, new CheckRunReport { Name = "unit", HeadSha = Sha, Status = CheckRunStatus.Queued }, Ct));

        Assert.Equal("You must authenticate via a GitHub App.", e.Message);
    }
}
