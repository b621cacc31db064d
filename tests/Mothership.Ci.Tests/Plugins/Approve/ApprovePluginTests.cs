using Mothership.Ci.Plugins.Approve;

namespace Mothership.Ci.Tests.Plugins.Approve;

/// <summary>The approve plugin through the plugin dispatcher, on the fake GitHub with real payloads.</summary>
public sealed class ApprovePluginTests
{
    private const string Process = "https://git.k8s.io/community/contributors/guide/owners.md#the-code-review-process";

    private static readonly Dictionary<string, string> Tree = new()
    {
        ["OWNERS"] = "approvers: [root-approver]\n",
        ["OWNERS_ALIASES"] = "aliases:\n  review-team: [erin, Frank]\n",
        ["a/OWNERS"] = "approvers: [Bob]\n",
        ["b/OWNERS"] = "approvers: [review-team]\n",
        ["secret/OWNERS"] = "options: {no_parent_owners: true}\napprovers: [sec]\n",
    };

    // The texts below follow Prow's template (approvers.GetMessage) line by line; see its tests'
    // expectedComment strings, which these mirror.
    [Fact(Timeout = 30_000)]
    public async Task Handle_OpenedByNonApprover_WritesProwsNotApprovedNotifier()
    {
        await using var h = await ApproveHarness.StartAsync(Tree);
        var pr = h.Open("carol", "a/x.go");

        var outcome = await h.OpenedAsync(pr);

        Assert.Equal("plugins: approve: not approved, needs a/OWNERS (notifier written)", outcome);
        Assert.Equal(
            $$"""
            [APPROVALNOTIFIER] This PR is **NOT APPROVED**

            This pull-request has been approved by: *<a href="{{ApproveHarness.Page(pr)}}#" title="Author self-approved">carol</a>*
            **Once this PR has been reviewed and has the lgtm label**, please assign [bob](https://github.com/bob) for approval. For more information see [the Code Review Process]({{Process}}).

            The full list of commands accepted by this bot can be found [here](https://go.k8s.io/bot-commands?repo=Codertocat%2FHello-World).

            <details open>
            Needs approval from an approver in each of these files:

            - **[a/OWNERS](https://github.com/Codertocat/Hello-World/blob/main/a/OWNERS)**

            Approvers can indicate their approval by writing `/approve` in a comment
            Approvers can cancel approval by writing `/approve cancel` in a comment
            </details>
            <!-- META={"approvers":["bob"]} -->
            """,
            h.Notifier(pr));
        Assert.False(h.Approved(pr));
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_OwnerApproves_LabelsAndEditsNotifierToProwsApprovedText()
    {
        await using var h = await ApproveHarness.StartAsync(Tree);
        var pr = h.Open("carol", "a/x.go");
        await h.OpenedAsync(pr);
        var first = Assert.Single(h.Notifiers(pr));

        var outcome = await h.CommentAsync(pr, "bob", "LGTM, thanks\n/approve\n");

        Assert.Equal("plugins: approve: approved (notifier updated, approved added)", outcome);
        Assert.True(h.Approved(pr));
        var bobs = h.Repository.CommentsOn(pr.Number).Single(c => c.Author == "bob");
        var bobUrl = $"{h.H.GitHub.BaseUri}Codertocat/Hello-World/issues/{pr.Number}#issuecomment-{bobs.Id}";
        var notifier = Assert.Single(h.Notifiers(pr));
        Assert.Equal(first.Id, notifier.Id);
        Assert.Equal(
            $$"""
            [APPROVALNOTIFIER] This PR is **APPROVED**

            This pull-request has been approved by: *<a href="{{bobUrl}}" title="Approved">bob</a>*, *<a href="{{ApproveHarness.Page(pr)}}#" title="Author self-approved">carol</a>*

            The full list of commands accepted by this bot can be found [here](https://go.k8s.io/bot-commands?repo=Codertocat%2FHello-World).

            The pull request process is described [here]({{Process}})

            <details >
            Needs approval from an approver in each of these files:

            - ~~[a/OWNERS](https://github.com/Codertocat/Hello-World/blob/main/a/OWNERS)~~ [bob]

            Approvers can indicate their approval by writing `/approve` in a comment
            Approvers can cancel approval by writing `/approve cancel` in a comment
            </details>
            <!-- META={"approvers":[]} -->
            """,
            notifier.Body);
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_NonApproverApproves_RecordedButNotApproved()
    {
        await using var h = await ApproveHarness.StartAsync(Tree);
        var pr = h.Open("carol", "a/x.go");

        var outcome = await h.CommentAsync(pr, "mallory", "/approve");

        Assert.Equal("plugins: approve: not approved, needs a/OWNERS (notifier written)", outcome);
        Assert.False(h.Approved(pr));
        var notifier = h.Notifier(pr);
        Assert.StartsWith("[APPROVALNOTIFIER] This PR is **NOT APPROVED**", notifier, StringComparison.Ordinal);
        Assert.Contains("title=\"Approved\">mallory</a>*", notifier, StringComparison.Ordinal);
        Assert.Contains("- **[a/OWNERS](https://github.com/Codertocat/Hello-World/blob/main/a/OWNERS)**\n", notifier, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_PartialApproval_ListsWhatIsLeftWithProwsPartialLine()
    {
        await using var h = await ApproveHarness.StartAsync(Tree);
        var pr = h.Open("carol", "a/x.go", "b/y.go", "secret/key");

        await h.CommentAsync(pr, "FRANK", "/approve");

        var notifier = h.Notifier(pr);
        Assert.False(h.Approved(pr));
        Assert.Contains(
            """
            - **[a/OWNERS](https://github.com/Codertocat/Hello-World/blob/main/a/OWNERS)**
            - ~~[b/OWNERS](https://github.com/Codertocat/Hello-World/blob/main/b/OWNERS)~~ [FRANK]
            - **[secret/OWNERS](https://github.com/Codertocat/Hello-World/blob/main/secret/OWNERS)**

            """,
            notifier,
            StringComparison.Ordinal);
        Assert.Contains("please assign [bob](https://github.com/bob), [sec](https://github.com/sec) for approval.", notifier, StringComparison.Ordinal);
        Assert.EndsWith("<!-- META={\"approvers\":[\"bob\",\"sec\"]} -->", notifier, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_RootApprover_ApprovesEverythingButNoParentOwnersDirectory()
    {
        await using var h = await ApproveHarness.StartAsync(Tree);
        var pr = h.Open("carol", "a/x.go", "b/y.go", "README.md");

        Assert.Equal("plugins: approve: approved (notifier written, approved added)", await h.CommentAsync(pr, "root-approver", "/approve"));

        var other = h.Open("carol", "a/x.go", "secret/key");
        Assert.Equal("plugins: approve: not approved, needs secret/OWNERS (notifier written)", await h.CommentAsync(other, "root-approver", "/approve"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_AuthorIsApprover_ApprovesImplicitly()
    {
        await using var h = await ApproveHarness.StartAsync(Tree);
        var pr = h.Open("Bob", "a/x.go");

        await h.OpenedAsync(pr);

        Assert.True(h.Approved(pr));
        Assert.Contains("title=\"Author self-approved\">Bob</a>*", h.Notifier(pr), StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_RequireSelfApproval_AuthorMustApprove()
    {
        await using var h = await ApproveHarness.StartAsync(Tree, """
            approve:
            - repos: [Codertocat]
              require_self_approval: true
            """);
        var pr = h.Open("bob", "a/x.go");

        await h.OpenedAsync(pr);
        Assert.False(h.Approved(pr));
        Assert.Contains("This pull-request has been approved by:\n", h.Notifier(pr), StringComparison.Ordinal);

        await h.CommentAsync(pr, "bob", "/approve");
        Assert.True(h.Approved(pr));
        Assert.Contains("title=\"Approved\">bob</a>*", h.Notifier(pr), StringComparison.Ordinal);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("/approve cancel")]
    [InlineData("/remove-approve")]
    public async Task Handle_Cancel_RemovesTheApproval(string cancel)
    {
        await using var h = await ApproveHarness.StartAsync(Tree);
        var pr = h.Open("carol", "a/x.go");
        await h.CommentAsync(pr, "bob", "/approve");
        Assert.True(h.Approved(pr));

        var outcome = await h.CommentAsync(pr, "bob", cancel);

        Assert.Equal("plugins: approve: not approved, needs a/OWNERS (notifier updated, approved removed)", outcome);
        Assert.False(h.Approved(pr));
        Assert.DoesNotContain(">bob</a>", h.Notifier(pr), StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_ApprovingReview_ApprovesAndChangesRequestedCancels()
    {
        await using var h = await ApproveHarness.StartAsync(Tree);
        var pr = h.Open("carol", "b/y.go");

        await h.ReviewAsync(pr, "erin", "APPROVED");
        Assert.True(h.Approved(pr));
        Assert.Contains($"#pullrequestreview-", h.Notifier(pr), StringComparison.Ordinal);

        await h.ReviewAsync(pr, "erin", "CHANGES_REQUESTED", "needs work");
        Assert.False(h.Approved(pr));
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_ApprovingReviewDismissed_NoLongerApproves()
    {
        await using var h = await ApproveHarness.StartAsync(Tree);
        var pr = h.Open("carol", "b/y.go");
        await h.ReviewAsync(pr, "erin", "APPROVED");
        Assert.True(h.Approved(pr));

        var outcome = await h.DismissAsync(pr, "erin");

        Assert.Equal("plugins: approve: not approved, needs b/OWNERS (notifier updated, approved removed)", outcome);
        Assert.False(h.Approved(pr));
    }

    [Theory(Timeout = 30_000)]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Handle_Lgtm_ApprovesOnlyWithLgtmActsAsApprove(bool lgtmActsAsApprove)
    {
        await using var h = await ApproveHarness.StartAsync(Tree, $"""
            approve:
            - repos: [Codertocat]
              lgtm_acts_as_approve: {(lgtmActsAsApprove ? "true" : "false")}
            """);
        var pr = h.Open("carol", "a/x.go");

        var outcome = await h.CommentAsync(pr, "bob", "/lgtm");

        Assert.Equal(lgtmActsAsApprove, h.Approved(pr));
        if (lgtmActsAsApprove)
        {
            Assert.Contains("title=\"LGTM\">bob</a>*", h.Notifier(pr), StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal("plugins: nothing to do", outcome);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_IgnoreReviewState_ReviewsNeitherApproveNorTrigger()
    {
        await using var h = await ApproveHarness.StartAsync(Tree, """
            approve:
            - repos: [Codertocat/Hello-World]
              ignore_review_state: true
            """);
        var pr = h.Open("carol", "b/y.go");

        Assert.Equal("plugins: nothing to do", await h.ReviewAsync(pr, "erin", "APPROVED"));
        await h.CommentAsync(pr, "someone", "/approve");

        Assert.False(h.Approved(pr));
        Assert.DoesNotContain(">erin</a>", h.Notifier(pr), StringComparison.Ordinal);

        // A review whose body holds the command still approves.
        await h.ReviewAsync(pr, "erin", "COMMENTED", "/approve");
        Assert.True(h.Approved(pr));
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_PushOutsideApproversFiles_DropsApprovedAndSaysWhatNeedsApproval()
    {
        await using var h = await ApproveHarness.StartAsync(Tree);
        var pr = h.Open("carol", "a/x.go");
        await h.CommentAsync(pr, "bob", "/approve");
        Assert.True(h.Approved(pr));

        var outcome = await h.PushAsync(pr, "a/x.go", "b/new.go");

        Assert.Equal("plugins: approve: not approved, needs b/OWNERS (notifier updated, approved removed)", outcome);
        Assert.False(h.Approved(pr));
        var notifier = h.Notifier(pr);
        Assert.StartsWith("[APPROVALNOTIFIER] This PR is **NOT APPROVED**", notifier, StringComparison.Ordinal);
        Assert.Contains("- ~~[a/OWNERS](https://github.com/Codertocat/Hello-World/blob/main/a/OWNERS)~~ [bob]\n", notifier, StringComparison.Ordinal);
        Assert.Contains("- **[b/OWNERS](https://github.com/Codertocat/Hello-World/blob/main/b/OWNERS)**\n", notifier, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_PushInsideApproversFiles_KeepsApproved()
    {
        await using var h = await ApproveHarness.StartAsync(Tree);
        var pr = h.Open("carol", "a/x.go");
        await h.CommentAsync(pr, "bob", "/approve");
        var writes = h.H.GitHub.Requests.Count(r => r.Method != "GET");

        var outcome = await h.PushAsync(pr, "a/x.go", "a/deeper/y.go");

        Assert.Equal("plugins: approve: approved", outcome);
        Assert.True(h.Approved(pr));
        Assert.Equal(writes, h.H.GitHub.Requests.Count(r => r.Method != "GET"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_IssueRequired_NoIssueApprovalBypasses()
    {
        await using var h = await ApproveHarness.StartAsync(Tree, """
            approve:
            - repos: [Codertocat]
              issue_required: true
            """);
        var pr = h.Open("carol", "a/x.go");

        await h.CommentAsync(pr, "bob", "/approve");
        Assert.False(h.Approved(pr));
        Assert.Contains("\n\n*No associated issue*. Update pull-request body to add a reference to an issue, or get approval with `/approve no-issue`\n\n", h.Notifier(pr), StringComparison.Ordinal);

        await h.CommentAsync(pr, "bob", "/approve no-issue");
        Assert.True(h.Approved(pr));
        Assert.Contains("\n\nAssociated issue requirement bypassed by: *<a href=", h.Notifier(pr), StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_IssueRequired_BodyReferenceCounts()
    {
        await using var h = await ApproveHarness.StartAsync(Tree, """
            approve:
            - repos: [Codertocat]
              issue_required: true
            """);
        var pr = h.Open("bob", "a/x.go");
        pr.Body = "Fixes #42";

        await h.OpenedAsync(pr);

        Assert.True(h.Approved(pr));
        Assert.Contains("\n\nAssociated issue: *#42*\n\n", h.Notifier(pr), StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_CommentWithoutCommand_DoesNothing()
    {
        await using var h = await ApproveHarness.StartAsync(Tree);
        var pr = h.Open("carol", "a/x.go");

        Assert.Equal("plugins: nothing to do", await h.CommentAsync(pr, "bob", "I approve of this in spirit, not /approve"));
        Assert.Empty(h.Notifiers(pr));
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_SameDeliveryTwice_WritesNothingTheSecondTime()
    {
        await using var h = await ApproveHarness.StartAsync(Tree);
        var pr = h.Open("carol", "a/x.go");
        await h.CommentAsync(pr, "bob", "/approve");
        var writes = h.H.GitHub.Requests.Count(r => r.Method != "GET");

        Assert.Equal("plugins: approve: approved", await h.HandleAsync(h.LastDelivery!));

        Assert.Equal(writes, h.H.GitHub.Requests.Count(r => r.Method != "GET"));
        Assert.Single(h.Notifiers(pr));
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_BadOwnersFile_ReportedInTheNotifierNotThrown()
    {
        var tree = new Dictionary<string, string>(Tree) { ["b/OWNERS"] = "approvers: erin\n" };
        await using var h = await ApproveHarness.StartAsync(tree);
        var pr = h.Open("carol", "b/y.go");

        var outcome = await h.CommentAsync(pr, "erin", "/approve");

        Assert.Equal("plugins: approve: not approved, needs OWNERS (notifier written, 1 OWNERS problem(s))", outcome);
        var notifier = h.Notifier(pr);
        Assert.Contains("\n</details>\n\nThese OWNERS files have problems; the parts in error are not used:\n- `b/OWNERS:1:12`: error: field 'approvers' must be a list of strings, not a scalar\n<!-- META=", notifier, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_ClosedPullRequest_IgnoresTheComment()
    {
        await using var h = await ApproveHarness.StartAsync(Tree);
        var pr = h.Open("carol", "a/x.go");
        pr.Closed = true;

        Assert.Equal("plugins: nothing to do", await h.CommentAsync(pr, "bob", "/approve"));
        Assert.False(h.Approved(pr));
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_OwnersRead_OnlyChangedDirectoriesAtTheBaseCommitAndCached()
    {
        await using var h = await ApproveHarness.StartAsync(Tree);
        var pr = h.Open("carol", "a/deep/x.go");

        await h.OpenedAsync(pr);
        var reads = h.H.GitHub.Requests.Where(r => r.Path.Contains("/contents/", StringComparison.Ordinal)).Select(r => r.Path).Order(StringComparer.Ordinal).ToList();
        await h.CommentAsync(pr, "bob", "/approve");

        Assert.Equal(
            ["OWNERS", "OWNERS_ALIASES", "a/OWNERS", "a/deep/OWNERS"],
            reads.Select(p => p[(p.IndexOf("/contents/", StringComparison.Ordinal) + "/contents/".Length)..]).Order(StringComparer.Ordinal));
        Assert.All(h.H.GitHub.Requests.Where(r => r.Path.Contains("/contents/", StringComparison.Ordinal)), r => Assert.Contains(ApproveHarness.BaseSha, r.Query, StringComparison.Ordinal));
        Assert.Equal(4, h.H.GitHub.Requests.Count(r => r.Path.Contains("/contents/", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("https://api.github.com/", "https://github.com/")]
    [InlineData("https://ghe.example.com/api/v3/", "https://ghe.example.com/")]
    [InlineData("http://127.0.0.1:5000/", "http://127.0.0.1:5000/")]
    public void WebRootOf_ApiUrl_TheForgesPages(string api, string web) =>
        Assert.Equal(new Uri(web), ApprovePlugin.WebRootOf(new Uri(api)));
}
