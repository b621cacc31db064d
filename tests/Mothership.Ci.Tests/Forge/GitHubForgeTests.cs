using System.Text;
using Microsoft.Extensions.Time.Testing;
using Mothership.Ci.Forge;
using Mothership.Testing.GitHub;

namespace Mothership.Ci.Tests.Forge;

/// <summary>GitHubForge through Octokit against the fake GitHub: every operation, pages, 404s, rate limits.</summary>
public sealed class GitHubForgeTests : IAsyncLifetime
{
    private const string Sha = "0123456789abcdef0123456789abcdef01234567";
    private static readonly RepositoryName Repo = new("org", "repo");

    private readonly FakeTimeProvider _time = new(TimeProvider.System.GetUtcNow());
    private FakeGitHub _github = null!;
    private FakeRepository _repo = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _github = await FakeGitHub.StartAsync(new FakeGitHubOptions { Token = "secret-token" }, Ct);
        _repo = _github.AddRepository("org", "repo");
    }

    public async ValueTask DisposeAsync()
    {
        Assert.Empty(_github.Errors);
        await _github.DisposeAsync();
    }

    [Fact(Timeout = 30_000)]
    public async Task CreateStatusAsync_TwoContexts_CombinedHasNewestOfEach()
    {
        var forge = Forge();

        var created = await forge.CreateStatusAsync(Repo, Sha, CommitState.Pending, "pull-unit", "Job triggered.", "https://ci.example/run/1", Ct);
        await forge.CreateStatusAsync(Repo, Sha, CommitState.Success, "pull-unit", "Job succeeded.", "https://ci.example/run/1", Ct);
        await forge.CreateStatusAsync(Repo, Sha, CommitState.Failure, "pull-e2e", "Job failed.", null, Ct);
        var combined = await forge.GetCombinedStatusAsync(Repo, Sha, Ct);

        Assert.Equal(("pull-unit", CommitState.Pending, "Job triggered.", "https://ci.example/run/1"), (created.Context, created.State, created.Description, created.TargetUrl));
        Assert.Equal(Sha, combined.Sha);
        Assert.Equal(CommitState.Failure, combined.State);
        Assert.Equal(
            [("pull-e2e", CommitState.Failure), ("pull-unit", CommitState.Success)],
            combined.Statuses.Select(s => (s.Context, s.State)).OrderBy(s => s.Context));
        Assert.Equal(3, _repo.Statuses.Count);
        Assert.All(_github.Requests, r => Assert.Equal("token secret-token", r.Authorization, ignoreCase: true));
    }

    [Fact(Timeout = 30_000)]
    public async Task GetCombinedStatusAsync_BranchName_ResolvedToItsCommit()
    {
        _repo.SetBranch("main", Sha);
        var forge = Forge();
        await forge.CreateStatusAsync(Repo, Sha, CommitState.Success, "post-build", null, null, Ct);

        var combined = await forge.GetCombinedStatusAsync(Repo, "main", Ct);

        Assert.Equal((Sha, CommitState.Success), (combined.Sha, combined.State));
    }

    [Fact(Timeout = 30_000)]
    public async Task Labels_AddListRemove()
    {
        var issue = _repo.AddPullRequest("alice", Sha);
        var forge = Forge();

        var added = await forge.AddLabelsAsync(Repo, issue.Number, ["lgtm", "approved"], Ct);
        var removed = await forge.RemoveLabelAsync(Repo, issue.Number, "lgtm", Ct);
        var removedAgain = await forge.RemoveLabelAsync(Repo, issue.Number, "lgtm", Ct);
        var listed = await forge.ListLabelsAsync(Repo, issue.Number, Ct);

        Assert.Equal(["lgtm", "approved"], added);
        Assert.True(removed);
        Assert.False(removedAgain);
        Assert.Equal(["approved"], listed);
        Assert.Equal(["approved"], _repo.LabelsOn(issue.Number));
    }

    [Fact(Timeout = 30_000)]
    public async Task ListLabelsAsync_SeveralPages_AllLabelsFollowingLinks()
    {
        var issue = _repo.AddIssue("flaky");
        var forge = Forge(o => o.PageSize = 2);
        await forge.AddLabelsAsync(Repo, issue.Number, ["a", "b", "c", "d", "e"], Ct);

        var labels = await forge.ListLabelsAsync(Repo, issue.Number, Ct);

        Assert.Equal(["a", "b", "c", "d", "e"], labels);
        Assert.Equal(3, _github.Requests.Count(r => r.Method == "GET" && r.Path == $"/repos/org/repo/issues/{issue.Number}/labels"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Comments_CreateEditListDelete_AcrossPages()
    {
        var pr = _repo.AddPullRequest("alice", Sha);
        var forge = Forge(o => o.PageSize = 2);

        var first = await forge.CreateCommentAsync(Repo, pr.Number, "/test all", Ct);
        for (var i = 2; i <= 5; i++)
        {
            await forge.CreateCommentAsync(Repo, pr.Number, $"comment {i}", Ct);
        }

        var edited = await forge.EditCommentAsync(Repo, first.Id, "/retest", Ct);
        var listed = await forge.ListCommentsAsync(Repo, pr.Number, Ct);
        var deleted = await forge.DeleteCommentAsync(Repo, first.Id, Ct);
        var deletedAgain = await forge.DeleteCommentAsync(Repo, first.Id, Ct);

        Assert.Equal("mothership-bot", first.Author);
        Assert.Equal((first.Id, "/retest"), (edited.Id, edited.Body));
        Assert.Equal(["/retest", "comment 2", "comment 3", "comment 4", "comment 5"], listed.Select(c => c.Body));
        Assert.True(deleted);
        Assert.False(deletedAgain);
        Assert.Equal(4, _repo.CommentsOn(pr.Number).Count);
        Assert.Equal(3, _github.Requests.Count(r => r.Method == "GET" && r.Path == $"/repos/org/repo/issues/{pr.Number}/comments"));
    }

    [Fact(Timeout = 30_000)]
    public async Task GetPullRequestAsync_Fields()
    {
        _repo.SetBranch("release-1.2", "fedcba9876543210fedcba9876543210fedcba98");
        var pr = _repo.AddPullRequest("alice", Sha, headRef: "fix-flake", baseRef: "release-1.2", title: "Fix the flake");
        pr.Draft = true;
        pr.Mergeable = null;
        var forge = Forge();

        var got = await forge.GetPullRequestAsync(Repo, pr.Number, Ct);

        Assert.Equal(
            new PullRequest(pr.Number, "Fix the flake", "alice", PullRequestState.Open, Draft: true, Merged: false, Mergeable: null, Sha, "fix-flake", "release-1.2", "fedcba9876543210fedcba9876543210fedcba98")
            {
                CloneUri = new Uri(_github.BaseUri, "org/repo.git").ToString(),
                RepoLink = new Uri(_github.BaseUri, "org/repo").ToString(),
            },
            got);
    }

    [Fact(Timeout = 30_000)]
    public async Task GetPullRequestAsync_MergedClosed()
    {
        var pr = _repo.AddPullRequest("alice", Sha);
        pr.Closed = true;
        pr.Merged = true;
        var forge = Forge();

        var got = await forge.GetPullRequestAsync(Repo, pr.Number, Ct);

        Assert.Equal((PullRequestState.Closed, true), (got!.State, got.Merged));
    }

    [Fact(Timeout = 30_000)]
    public async Task GetPullRequestAsync_NoSuchNumberOrAnIssue_Null()
    {
        var issue = _repo.AddIssue("not a pull request");
        var forge = Forge();

        Assert.Null(await forge.GetPullRequestAsync(Repo, 42, Ct));
        Assert.Null(await forge.GetPullRequestAsync(Repo, issue.Number, Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task ListPullRequestFilesAsync_250Files_ThreePagesAllFiles()
    {
        var files = Enumerable.Range(0, 249).Select(i => new FakePullRequestFile($"pkg/f{i:000}.go", Additions: i))
            .Append(new FakePullRequestFile("docs/new.md", "renamed", 0, 0, PreviousPath: "docs/old.md"));
        var pr = _repo.AddPullRequest("alice", Sha, files: files);
        var forge = Forge();

        var changed = await forge.ListPullRequestFilesAsync(Repo, pr.Number, Ct);

        Assert.Equal(250, changed.Count);
        Assert.Equal(new ChangedFile("pkg/f007.go", "modified", null, 7, 0), changed[7]);
        Assert.Equal(new ChangedFile("docs/new.md", "renamed", "docs/old.md", 0, 0), changed[^1]);
        Assert.Equal(3, _github.Requests.Count(r => r.Path == $"/repos/org/repo/pulls/{pr.Number}/files"));
    }

    [Fact(Timeout = 30_000)]
    public async Task ConditionalRequests_SameAnswerAgain_304WithoutQuotaAndAChangeIsSeen()
    {
        _repo.SetFile("main", "docs/OWNERS", "approvers: [alice]\n");
        _repo.AddPullRequest("alice", Sha);
        var forge = Forge();

        var listing = await forge.ListDirectoryAsync(Repo, "docs", "main", Ct);
        var pulls = await forge.ListOpenPullRequestsAsync(Repo, Ct);
        var quota = _github.RateLimitRemaining;
        var listingAgain = await forge.ListDirectoryAsync(Repo, "docs", "main", Ct);
        var pullsAgain = await forge.ListOpenPullRequestsAsync(Repo, Ct);

        Assert.Equal(2, _github.NotModified);
        Assert.Equal(quota, _github.RateLimitRemaining);
        Assert.Equal(listing, listingAgain);
        Assert.Equal(pulls, pullsAgain);

        // A change is a new ETag, read whole; raw content (a stream) is never answered from the cache.
        _repo.SetFile("main", "docs/README.md", "hello\n");
        Assert.Equal(2, (await forge.ListDirectoryAsync(Repo, "docs", "main", Ct))!.Count);
        Assert.Equal("approvers: [alice]\n", Encoding.UTF8.GetString((await forge.GetFileContentAsync(Repo, "docs/OWNERS", "main", Ct))!));
        Assert.Equal("approvers: [alice]\n", Encoding.UTF8.GetString((await forge.GetFileContentAsync(Repo, "docs/OWNERS", "main", Ct))!));
        Assert.Equal(2, _github.NotModified);
    }

    [Fact(Timeout = 30_000)]
    public async Task ConditionalRequests_Off_EveryAnswerWhole()
    {
        _repo.AddPullRequest("alice", Sha);
        var forge = Forge(o => o.ResponseCacheEntries = 0);

        await forge.ListOpenPullRequestsAsync(Repo, Ct);
        await forge.ListOpenPullRequestsAsync(Repo, Ct);

        Assert.Equal(0, _github.NotModified);
    }

    [Fact(Timeout = 30_000)]
    public async Task GetFileContentAsync_AtRef_BytesElseNull()
    {
        _repo.SetBranch("main", Sha);
        _repo.SetFile("main", ".tekton/pull.yaml", "kind: PipelineRun\n");
        _repo.SetFile("0000000000000000000000000000000000000002", ".tekton/pull.yaml", "old\n");
        var forge = Forge();

        var atBranch = await forge.GetFileContentAsync(Repo, ".tekton/pull.yaml", "main", Ct);
        var atSha = await forge.GetFileContentAsync(Repo, ".tekton/pull.yaml", Sha, Ct);
        var atOther = await forge.GetFileContentAsync(Repo, ".tekton/pull.yaml", "0000000000000000000000000000000000000002", Ct);
        var missing = await forge.GetFileContentAsync(Repo, "OWNERS", "main", Ct);

        Assert.Equal("kind: PipelineRun\n", Encoding.UTF8.GetString(atBranch!));
        Assert.Equal("kind: PipelineRun\n", Encoding.UTF8.GetString(atSha!));
        Assert.Equal("old\n", Encoding.UTF8.GetString(atOther!));
        Assert.Null(missing);
    }

    [Fact(Timeout = 30_000)]
    public async Task ListDirectoryAsync_AtRef_FilesAndDirectoriesElseNull()
    {
        _repo.SetBranch("main", Sha);
        _repo.SetFile("main", ".tekton/push.yaml", "kind: PipelineRun\n");
        _repo.SetFile("main", ".tekton/pull.yaml", "kind: PipelineRun\n");
        _repo.SetFile("main", ".tekton/tasks/lint.yaml", "kind: Task\n");
        _repo.SetFile("0000000000000000000000000000000000000002", ".tekton/other.yaml", "kind: PipelineRun\n");
        var forge = Forge();

        var atBranch = await forge.ListDirectoryAsync(Repo, ".tekton", "main", Ct);
        var atOther = await forge.ListDirectoryAsync(Repo, ".tekton", "0000000000000000000000000000000000000002", Ct);
        var missing = await forge.ListDirectoryAsync(Repo, ".github", "main", Ct);

        Assert.Equal(
            [new(".tekton/pull.yaml", "file"), new(".tekton/push.yaml", "file"), new(".tekton/tasks", "dir")],
            atBranch!.Select(e => (e.Path, e.Type)).ToList());
        Assert.Equal(["pull.yaml", "push.yaml", "tasks"], atBranch!.Select(e => e.Name));
        Assert.Equal([".tekton/other.yaml"], atOther!.Select(e => e.Path));
        Assert.Null(missing);
    }

    [Fact(Timeout = 30_000)]
    public async Task IsCollaboratorAsync_204True404False()
    {
        _repo.AddCollaborator("alice");
        var forge = Forge();

        Assert.True(await forge.IsCollaboratorAsync(Repo, "alice", Ct));
        Assert.False(await forge.IsCollaboratorAsync(Repo, "mallory", Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task IsOrgMemberAsync_RequesterMember_AnyMembership()
    {
        var org = _github.Organization("org");
        org.AddMember("alice");
        var forge = Forge();

        Assert.True(await forge.IsOrgMemberAsync("org", "alice", Ct));
        Assert.False(await forge.IsOrgMemberAsync("org", "mallory", Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task IsOrgMemberAsync_RequesterNotMember_302ToPublicMembership()
    {
        var org = _github.Organization("org");
        org.RequesterIsMember = false;
        org.AddMember("alice", isPublic: true);
        org.AddMember("bob");
        var forge = Forge();

        Assert.True(await forge.IsOrgMemberAsync("org", "alice", Ct));
        Assert.False(await forge.IsOrgMemberAsync("org", "bob", Ct));
        Assert.Contains(_github.Requests, r => r.Path == "/orgs/org/public_members/alice");
    }

    [Fact(Timeout = 30_000)]
    public async Task ListHookDeliveriesAsync_RepositoryHook_AllCursorPagesNewestFirst()
    {
        var hook = _repo.AddHook();
        var at = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
        var sent = Enumerable.Range(0, 5)
            .Select(i => _repo.AddDelivery(hook, "pull_request", i % 2 == 0 ? "opened" : "synchronize", statusCode: i == 3 ? 503 : 200, deliveredAt: at.AddMinutes(i)))
            .ToList();
        var forge = Forge(o => o.PageSize = 2);

        var deliveries = await forge.ListHookDeliveriesAsync(WebhookRef.Repository(Repo, hook), Ct);

        Assert.Equal(sent.Select(d => d.Id).Reverse(), deliveries.Select(d => d.Id));
        Assert.Equal(
            (sent[3].Guid, at.AddMinutes(3), 503, "pull_request", "synchronize", false),
            (deliveries[1].Guid, deliveries[1].DeliveredAt, deliveries[1].StatusCode, deliveries[1].Event, deliveries[1].Action, deliveries[1].Redelivery));
        Assert.Equal(3, _github.Requests.Count(r => r.Path == $"/repos/org/repo/hooks/{hook}/deliveries"));
    }

    [Fact(Timeout = 30_000)]
    public async Task RedeliverAsync_OrganizationHook_NewAttemptListed()
    {
        var org = _github.Organization("org");
        var hook = org.AddHook();
        var failed = org.AddDelivery(hook, "issue_comment", "created", statusCode: 0);
        var forge = Forge();
        var webhook = WebhookRef.Organization("org", hook);

        await forge.RedeliverAsync(webhook, failed.Id, Ct);
        var deliveries = await forge.ListHookDeliveriesAsync(webhook, Ct);

        Assert.Equal(2, deliveries.Count);
        Assert.Equal((failed.Guid, true, 200), (deliveries[0].Guid, deliveries[0].Redelivery, deliveries[0].StatusCode));
        Assert.Contains(_github.Requests, r => r.Method == "POST" && r.Path == $"/orgs/org/hooks/{hook}/deliveries/{failed.Id}/attempts");
    }

    [Fact(Timeout = 30_000)]
    public async Task CreateStatusAsync_SecondaryRateLimitWithRetryAfter_WaitsAndSucceeds()
    {
        _github.Faults.FailNext(2, "POST", "/repos/org/repo/statuses/*", GitHubFault.SecondaryRateLimit, TimeSpan.FromSeconds(3));
        var forge = Forge();
        var start = _time.GetUtcNow();

        var status = await AdvancingAsync(forge.CreateStatusAsync(Repo, Sha, CommitState.Success, "pull-unit", null, null, Ct));

        Assert.Equal("pull-unit", status.Context);
        Assert.Equal(3, _github.Requests.Count(r => r.Method == "POST"));
        Assert.Single(_repo.Statuses);
        Assert.True(_time.GetUtcNow() - start >= TimeSpan.FromSeconds(6), $"waited {_time.GetUtcNow() - start} on the clock, Retry-After asked 2 × 3 s");
    }

    [Fact(Timeout = 30_000)]
    public async Task AddLabelsAsync_429TooManyRequests_WaitsAndSucceeds()
    {
        var issue = _repo.AddIssue("x");
        _github.Faults.FailNext(1, "POST", "/repos/org/repo/issues/*/labels", GitHubFault.TooManyRequests);
        var forge = Forge();

        var labels = await AdvancingAsync(forge.AddLabelsAsync(Repo, issue.Number, ["lgtm"], Ct));

        Assert.Equal(["lgtm"], labels);
        Assert.Equal(2, _github.Requests.Count(r => r.Method == "POST"));
    }

    [Fact(Timeout = 30_000)]
    public async Task ListCommentsAsync_PrimaryLimitExhausted_WaitsForResetThenSucceeds()
    {
        var issue = _repo.AddIssue("x");
        _github.Faults.FailNext(1, "GET", "/repos/org/repo/issues/*/comments", GitHubFault.PrimaryRateLimit, TimeSpan.FromSeconds(30));
        var forge = Forge();
        var start = _time.GetUtcNow();

        var comments = await AdvancingAsync(forge.ListCommentsAsync(Repo, issue.Number, Ct));

        Assert.Empty(comments);
        Assert.True(_time.GetUtcNow() - start >= TimeSpan.FromSeconds(29), $"waited {_time.GetUtcNow() - start} for a reset 30 s away");
    }

    [Fact(Timeout = 30_000)]
    public async Task CreateStatusAsync_RateLimitedEveryTime_GivesUpAfterMaxAttempts()
    {
        _github.Faults.FailNext(10, "POST", "/repos/org/repo/statuses/*");
        var forge = Forge(o => o.MaxAttempts = 3);

        await Assert.ThrowsAnyAsync<Octokit.ApiException>(() => AdvancingAsync(forge.CreateStatusAsync(Repo, Sha, CommitState.Success, "c", null, null, Ct)));

        Assert.Equal(3, _github.Requests.Count(r => r.Method == "POST"));
    }

    [Fact(Timeout = 30_000)]
    public async Task CreateStatusAsync_RetryAfterBeyondMaxWait_FailsWithoutWaiting()
    {
        _github.Faults.FailNext(1, "POST", "/repos/org/repo/statuses/*", GitHubFault.SecondaryRateLimit, TimeSpan.FromMinutes(10));
        var forge = Forge(o => o.MaxWait = TimeSpan.FromMinutes(2));

        var e = await Assert.ThrowsAnyAsync<Octokit.ApiException>(() => forge.CreateStatusAsync(Repo, Sha, CommitState.Success, "c", null, null, Ct));

        Assert.Equal(System.Net.HttpStatusCode.Forbidden, e.StatusCode);
        Assert.Single(_github.Requests);
    }

    [Fact(Timeout = 30_000)]
    public async Task AddLabelsAsync_PermissionRefused403_NotRetried()
    {
        var issue = _repo.AddIssue("x");
        _github.Faults.FailNext(1, "POST", "/repos/org/repo/issues/*/labels", GitHubFault.Forbidden);
        var forge = Forge();

        await Assert.ThrowsAsync<Octokit.ForbiddenException>(() => forge.AddLabelsAsync(Repo, issue.Number, ["lgtm"], Ct));

        Assert.Single(_github.Requests, r => r.Method == "POST");
    }

    [Fact(Timeout = 30_000)]
    public async Task LastRateLimit_AfterACall_TheAnswersQuota()
    {
        _github.RateLimitRemaining = 1234;
        var forge = Forge();
        Assert.Null(forge.LastRateLimit);

        await forge.IsCollaboratorAsync(Repo, "alice", Ct);

        Assert.Equal(new ForgeRateLimit(5000, 1233, DateTimeOffset.FromUnixTimeSeconds(_github.RateLimitReset.ToUnixTimeSeconds())), forge.LastRateLimit);
    }

    [Fact(Timeout = 30_000)]
    public async Task AnyCall_WrongToken_AuthorizationException()
    {
        var forge = GitHubForge.WithToken(new GitHubForgeOptions { ApiUrl = _github.BaseUri }, "wrong", _time);

        await Assert.ThrowsAsync<Octokit.AuthorizationException>(() => forge.GetPullRequestAsync(Repo, 1, Ct));
    }

    [Fact]
    public void Options_PageSizeAbove100_Refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => GitHubForge.WithToken(new GitHubForgeOptions { PageSize = 101 }, "t"));

    [Theory]
    [InlineData("kubernetes/test-infra", "kubernetes", "test-infra")]
    [InlineData("o/r", "o", "r")]
    public void RepositoryName_Parse_OwnerAndName(string text, string owner, string name) =>
        Assert.Equal(new RepositoryName(owner, name), RepositoryName.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("noslash")]
    [InlineData("/r")]
    [InlineData("o/")]
    [InlineData("o/r/x")]
    public void RepositoryName_Parse_Malformed_Refused(string text) =>
        Assert.Throws<FormatException>(() => RepositoryName.Parse(text));

    [Fact(Timeout = 30_000)]
    public async Task ListOpenPullRequestsAsync_SeveralPages_OldestFirstWithLabelsAndCloneUrl()
    {
        _repo.SetBranch("main", Sha);
        for (var i = 0; i < 5; i++)
        {
            _repo.AddPullRequest("alice", new string((char)('a' + i), 40), $"topic-{i}");
        }

        _repo.Issue(2)!.Closed = true;
        var labels = await Forge().AddLabelsAsync(Repo, 3, ["lgtm", "do-not-merge/hold"], Ct);
        var before = _github.Requests.Count;

        var open = await Forge(o => o.PageSize = 2).ListOpenPullRequestsAsync(Repo, Ct);

        Assert.Equal([1, 3, 4, 5], open.Select(p => p.Number));
        Assert.Equal(["lgtm", "do-not-merge/hold"], open[1].Labels);
        Assert.Equal((new string('c', 40), "topic-2", "main", Sha), (open[1].HeadSha, open[1].HeadRef, open[1].BaseRef, open[1].BaseSha));
        Assert.EndsWith("/org/repo.git", open[0].CloneUri, StringComparison.Ordinal);
        Assert.Equal(2, _github.Requests.Count - before);
        Assert.Equal(2, labels.Count);
    }

    [Fact(Timeout = 30_000)]
    public async Task GetBranchShaAsync_BranchOrNone_ItsCommitOrNull()
    {
        _repo.SetBranch("release/1.0", Sha);
        var forge = Forge();

        Assert.Equal((Sha, (string?)null), (await forge.GetBranchShaAsync(Repo, "release/1.0", Ct), await forge.GetBranchShaAsync(Repo, "gone", Ct)));
    }

    [Fact(Timeout = 30_000)]
    public async Task MergePullRequestAsync_AtTheTestedHead_MergedAndTheBaseMoves()
    {
        _repo.SetBranch("main", Sha);
        var pr = _repo.AddPullRequest("alice", new string('a', 40));

        var result = await Forge().MergePullRequestAsync(Repo, pr.Number, pr.HeadSha, MergeMethod.Squash, Ct);

        Assert.Equal((MergeOutcome.Merged, "Pull Request successfully merged"), (result.Outcome, result.Message));
        Assert.Equal(result.Sha, _repo.BranchSha("main"));
        Assert.NotEqual(Sha, result.Sha);
        Assert.Equal((true, true, "squash"), (pr.Merged, pr.Closed, pr.MergeMethod));
    }

    [Fact(Timeout = 30_000)]
    public async Task MergePullRequestAsync_HeadMoved_HeadModifiedAsGitHubAnswers409()
    {
        var pr = _repo.AddPullRequest("alice", new string('a', 40));

        var result = await Forge().MergePullRequestAsync(Repo, pr.Number, new string('b', 40), MergeMethod.Merge, Ct);

        Assert.Equal(MergeOutcome.HeadModified, result.Outcome);
        Assert.Contains("Head branch was modified", result.Message, StringComparison.Ordinal);
        Assert.False(pr.Merged);
    }

    [Theory(Timeout = 30_000)]
    [InlineData(false, "merge", "Pull Request is not mergeable")]
    [InlineData(true, "rebase", "Rebase merges are not allowed on this repository.")]
    public async Task MergePullRequestAsync_Refused_NotMergeableAsGitHubAnswers405(bool mergeable, string allowedOnly, string message)
    {
        var pr = _repo.AddPullRequest("alice", new string('a', 40));
        pr.Mergeable = mergeable;
        _repo.AllowedMergeMethods.RemoveWhere(m => m != (allowedOnly == "rebase" ? "merge" : allowedOnly));

        var result = await Forge().MergePullRequestAsync(Repo, pr.Number, pr.HeadSha, MergeMethod.Rebase, Ct);

        Assert.Equal((MergeOutcome.NotMergeable, message), (result.Outcome, result.Message));
        Assert.False(pr.Merged);
    }

    [Fact(Timeout = 30_000)]
    public async Task ListPullRequestReviewsAsync_Reviews_StateAuthorAndCommit()
    {
        var pr = _repo.AddPullRequest("alice", Sha);
        _repo.AddReview(pr.Number, "bob", "CHANGES_REQUESTED", "please fix");
        _repo.AddReview(pr.Number, "bob", "APPROVED");

        var reviews = await Forge().ListPullRequestReviewsAsync(Repo, pr.Number, Ct);

        Assert.Equal([("bob", "changes_requested", Sha), ("bob", "approved", Sha)], reviews.Select(r => (r.Author, r.State, r.CommitId)));
        Assert.True(PullRequestReview.Approved(reviews));
        Assert.False(PullRequestReview.Approved(reviews.Take(1)));
    }

    private GitHubForge Forge(Action<GitHubForgeOptions>? configure = null)
    {
        var options = new GitHubForgeOptions { ApiUrl = _github.BaseUri };
        configure?.Invoke(options);
        return GitHubForge.WithToken(options, "secret-token", _time);
    }

    /// <summary>
    /// Awaits <paramref name="task"/> while moving the fake clock a second at a time, so that the
    /// forge's waits (on that clock) end; the test's timeout bounds it.
    /// </summary>
    private async Task<T> AdvancingAsync<T>(Task<T> task)
    {
        while (!task.IsCompleted)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(task, Task.Delay(10, Ct));
        }

        return await task;
    }
}
