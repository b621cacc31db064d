using Mothership.Ci.Plugins;
using Mothership.Ci.Plugins.Lgtm;
using Mothership.Ci.Tests.Triggers;
using Mothership.Testing.GitHub;

namespace Mothership.Ci.Tests.Plugins.Lgtm;

/// <summary>The lgtm plugin through the plugin dispatcher, on the fake GitHub with real payloads.</summary>
public sealed class LgtmPluginTests
{
    private const string Head = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string NewHead = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    private const string Enabled = """
        plugins:
          Codertocat/Hello-World: [lgtm]
        """;

    private const string TreeHash = """
        plugins:
          Codertocat/Hello-World: [lgtm]
        lgtm:
        - repos: [Codertocat]
          review_acts_as_lgtm: true
          store_tree_hash: true
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory(Timeout = 30_000)]
    [InlineData("/lgtm")]
    [InlineData("/LGTM no-issue")]
    [InlineData("nice\n/lgtm\nthanks")]
    public async Task Handle_LgtmFromCollaborator_LabelsAndAssigns(string body)
    {
        await using var h = await StartAsync(Enabled);
        var pr = h.Repository.AddPullRequest("alice", Head);

        var outcome = await Dispatcher(h).HandleAsync(h.Comment(pr, "bob", body), Ct);

        Assert.Equal("plugins: lgtm: lgtm added by bob", outcome);
        Assert.Equal(["lgtm"], h.Repository.LabelsOn(pr.Number));
        Assert.Equal(["bob"], pr.Assignees);
        Assert.Empty(h.Repository.CommentsOn(pr.Number));
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_AuthorLgtm_RefusedWithProwsReply()
    {
        await using var h = await StartAsync(Enabled);
        h.Repository.AddCollaborator("alice");
        var pr = h.Repository.AddPullRequest("alice", Head);

        await Dispatcher(h).HandleAsync(h.Comment(pr, "alice", "/lgtm"), Ct);

        Assert.Empty(h.Repository.LabelsOn(pr.Number));
        var reply = Assert.Single(h.Repository.CommentsOn(pr.Number));
        Assert.StartsWith("@alice: you cannot LGTM your own PR.\n", reply.Body, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_AuthorCancel_RemovesTheLabel()
    {
        await using var h = await StartAsync(Enabled);
        var pr = h.Repository.AddPullRequest("alice", Head);
        await Dispatcher(h).HandleAsync(h.Comment(pr, "bob", "/lgtm"), Ct);

        var outcome = await Dispatcher(h).HandleAsync(h.Comment(pr, "alice", "/lgtm cancel"), Ct);

        Assert.Equal("plugins: lgtm: lgtm removed by alice", outcome);
        Assert.Empty(h.Repository.LabelsOn(pr.Number));
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_NonCollaborator_RefusedWithProwsReply()
    {
        await using var h = await StartAsync(Enabled);
        var pr = h.Repository.AddPullRequest("alice", Head);

        await Dispatcher(h).HandleAsync(h.Comment(pr, "mallory", "/lgtm"), Ct);
        await Dispatcher(h).HandleAsync(h.Comment(pr, "mallory", "/remove-lgtm"), Ct);

        Assert.Empty(h.Repository.LabelsOn(pr.Number));
        Assert.All(h.Repository.CommentsOn(pr.Number), c => Assert.StartsWith("@mallory: changing LGTM is restricted to collaborators\n", c.Body, StringComparison.Ordinal));
        Assert.Equal(2, h.Repository.CommentsOn(pr.Number).Count);
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_SameDeliveryTwice_ChangesNothingTheSecondTime()
    {
        await using var h = await StartAsync(TreeHash);
        h.Repository.SetCommitTree(Head, "tree1");
        var pr = h.Repository.AddPullRequest("alice", Head);
        var lgtm = h.Comment(pr, "bob", "/lgtm");
        var refused = h.Comment(pr, "mallory", "/lgtm");
        await Dispatcher(h).HandleAsync(lgtm, Ct);
        await Dispatcher(h).HandleAsync(refused, Ct);
        var writes = h.GitHub.Requests.Count(r => r.Method != "GET");
        var comments = h.Repository.CommentsOn(pr.Number);

        var again = await Dispatcher(h).HandleAsync(lgtm, Ct);
        await Dispatcher(h).HandleAsync(refused, Ct);

        Assert.Equal("plugins: lgtm: already lgtm", again);
        // The payload still lists no assignee: assigning bob again is GitHub's no-op, and the only write.
        Assert.Equal(["POST"], h.GitHub.Requests.Where(r => r.Method != "GET").Skip(writes).Select(r => r.Method));
        Assert.Equal(["bob"], pr.Assignees);
        Assert.Equal(comments, h.Repository.CommentsOn(pr.Number));
        Assert.Equal(["lgtm"], h.Repository.LabelsOn(pr.Number));
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_PushWithoutTreeHash_RemovesWithProwsNotice()
    {
        await using var h = await StartAsync(Enabled);
        var pr = h.Repository.AddPullRequest("alice", Head);
        await Dispatcher(h).HandleAsync(h.Comment(pr, "bob", "/lgtm"), Ct);
        pr.HeadSha = NewHead;

        var outcome = await Dispatcher(h).HandleAsync(h.PullRequest("synchronize", pr), Ct);

        Assert.Equal("plugins: lgtm: lgtm removed: new changes", outcome);
        Assert.Empty(h.Repository.LabelsOn(pr.Number));
        Assert.Equal("New changes are detected. LGTM label has been removed.", Assert.Single(h.Repository.CommentsOn(pr.Number)).Body);
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_PushKeepingTheTree_KeepsLgtm()
    {
        await using var h = await StartAsync(TreeHash);
        h.Repository.SetCommitTree(Head, "tree1");
        h.Repository.SetCommitTree(NewHead, "tree1");
        var pr = h.Repository.AddPullRequest("alice", Head);
        var plugins = Dispatcher(h);
        await plugins.HandleAsync(h.Comment(pr, "bob", "/lgtm"), Ct);
        Assert.Equal("LGTM label has been added.  <details>Git tree hash: tree1</details>", Assert.Single(h.Repository.CommentsOn(pr.Number)).Body);
        Assert.Contains(h.GitHub.Requests, r => r.Method == "GET" && r.Path == $"/repos/{TriggerHarness.FullName}/git/commits/{Head}");
        pr.HeadSha = NewHead;

        var outcome = await plugins.HandleAsync(h.PullRequest("synchronize", pr), Ct);

        Assert.Equal("plugins: lgtm: lgtm kept: the tree tree1 is unchanged", outcome);
        Assert.Equal(["lgtm"], h.Repository.LabelsOn(pr.Number));
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_PushKeepingTheTreeAfterARestart_TrustsTheCollaboratorBotsComment()
    {
        await using var h = await StartAsync(TreeHash);
        h.Repository.AddCollaborator("mothership-bot");
        h.Repository.SetCommitTree(Head, "tree1");
        h.Repository.SetCommitTree(NewHead, "tree1");
        var pr = h.Repository.AddPullRequest("alice", Head);
        await Dispatcher(h).HandleAsync(h.Comment(pr, "bob", "/lgtm"), Ct);
        pr.HeadSha = NewHead;

        var outcome = await Dispatcher(h).HandleAsync(h.PullRequest("synchronize", pr), Ct);

        Assert.Equal("plugins: lgtm: lgtm kept: the tree tree1 is unchanged", outcome);
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_PushChangingTheTree_RemovesAndRequestsReviewAgain()
    {
        await using var h = await StartAsync(TreeHash);
        h.Repository.SetCommitTree(Head, "tree1");
        h.Repository.SetCommitTree(NewHead, "tree2");
        var pr = h.Repository.AddPullRequest("alice", Head);
        await Dispatcher(h).HandleAsync(h.Comment(pr, "bob", "/lgtm"), Ct);
        pr.HeadSha = NewHead;
        var push = h.PullRequest("synchronize", pr);

        await Dispatcher(h).HandleAsync(push, Ct);
        var again = await Dispatcher(h).HandleAsync(push, Ct);

        Assert.Equal("plugins: nothing to do", again);
        Assert.Empty(h.Repository.LabelsOn(pr.Number));
        Assert.Equal(["bob"], pr.RequestedReviewers);
        Assert.Equal(LgtmPlugin.RemovedNotice, h.Repository.CommentsOn(pr.Number)[^1].Body);
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_AuthorForgesTheTreeHashComment_LgtmStillRemoved()
    {
        await using var h = await StartAsync(TreeHash);
        h.Repository.SetCommitTree(Head, "tree1");
        h.Repository.SetCommitTree(NewHead, "evil");
        var pr = h.Repository.AddPullRequest("alice", Head);
        await Dispatcher(h).HandleAsync(h.Comment(pr, "bob", "/lgtm"), Ct);

        // A fresh plugin (a restarted server) has not learnt its own login: the forged comment is the newest.
        h.GitHub.Options.Login = "alice";
        await h.Forge.CreateCommentAsync(new Mothership.Ci.Forge.RepositoryName(TriggerHarness.Owner, TriggerHarness.Repo), pr.Number, LgtmPlugin.TreeHashNotice("evil"), Ct);
        pr.HeadSha = NewHead;

        var outcome = await new ReviewPlugins(h.Config, [new LgtmPlugin(h.Forge)]).HandleAsync(h.PullRequest("synchronize", pr), Ct);

        Assert.Equal("plugins: lgtm: lgtm removed: new changes", outcome);
        Assert.Empty(h.Repository.LabelsOn(pr.Number));
    }

    [Theory(Timeout = 30_000)]
    [InlineData("approved", true)]
    [InlineData("commented", false)]
    public async Task Handle_ReviewActsAsLgtm_ApproveLabels(string state, bool labelled)
    {
        await using var h = await StartAsync(TreeHash);
        h.Repository.SetCommitTree(Head, "tree1");
        var pr = h.Repository.AddPullRequest("alice", Head);

        await Dispatcher(h).HandleAsync(h.Review(pr, "bob", state, "looks fine"), Ct);

        Assert.Equal(labelled, h.Repository.LabelsOn(pr.Number).Contains("lgtm"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_ChangesRequestedReview_CancelsLgtm()
    {
        await using var h = await StartAsync(TreeHash);
        h.Repository.SetCommitTree(Head, "tree1");
        var pr = h.Repository.AddPullRequest("alice", Head);
        await Dispatcher(h).HandleAsync(h.Comment(pr, "bob", "/lgtm"), Ct);

        await Dispatcher(h).HandleAsync(h.Review(pr, "bob", "changes_requested", "please fix"), Ct);

        Assert.Empty(h.Repository.LabelsOn(pr.Number));
        Assert.DoesNotContain(h.Repository.CommentsOn(pr.Number), c => c.Body.Contains("Git tree hash", StringComparison.Ordinal));
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_ApprovingReviewWithoutTheOption_DoesNothing()
    {
        await using var h = await StartAsync(Enabled);
        var pr = h.Repository.AddPullRequest("alice", Head);

        var outcome = await Dispatcher(h).HandleAsync(h.Review(pr, "bob", "approved", "ship it"), Ct);

        Assert.Equal("plugins: nothing to do", outcome);
        Assert.Empty(h.Repository.LabelsOn(pr.Number));
    }

    [Fact(Timeout = 30_000)]
    public void Parse_LgtmSection_ReadsProwsKeysAndPointsAtMistakes()
    {
        var diagnostics = new Mothership.Model.Diagnostics.DiagnosticBag();
        var config = PluginsConfig.Parse("plugins.yaml", """
            lgtm:
            - repos: [org/repo]
              store_tree_hash: true
            - repos: [org]
              review_acts_as_lgtm: true
              trusted_team_for_sticky_lgtm: bots
            - repos: [other]
              stor_tree_hash: true
            """, diagnostics);

        Assert.True(config.LgtmFor("org/repo").StoreTreeHash);
        Assert.False(config.LgtmFor("org/repo").ReviewActsAsLgtm);
        Assert.True(config.LgtmFor("org/else").ReviewActsAsLgtm);
        Assert.Same(LgtmOptions.Default, config.LgtmFor("nobody/repo"));
        Assert.Contains(diagnostics.Items, d => d.ToString().Contains("plugins.yaml:6:", StringComparison.Ordinal) && d.ToString().Contains("trusted_team_for_sticky_lgtm", StringComparison.Ordinal));
        Assert.Contains(diagnostics.Items, d => d.ToString().Contains("plugins.yaml:8:", StringComparison.Ordinal) && d.ToString().Contains("stor_tree_hash", StringComparison.Ordinal));
    }

    private static async Task<TriggerHarness> StartAsync(string plugins)
    {
        var h = await TriggerHarness.StartAsync("presubmits: {}", plugins);
        h.Repository.AddCollaborator("bob");
        return h;
    }

    private static ReviewPlugins Dispatcher(TriggerHarness h) => new(h.Config, [new LgtmPlugin(h.Forge)]);
}
