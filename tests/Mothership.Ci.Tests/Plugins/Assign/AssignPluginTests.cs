using Mothership.Ci.Plugins;
using Mothership.Ci.Plugins.Assign;
using Mothership.Ci.Tests.Triggers;

namespace Mothership.Ci.Tests.Plugins.Assign;

/// <summary>The assign plugin through the plugin dispatcher, on the fake GitHub with real payloads.</summary>
public sealed class AssignPluginTests
{
    private const string Enabled = """
        plugins:
          Codertocat/Hello-World: [assign]
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory(Timeout = 30_000)]
    [InlineData("/assign", new[] { "bob" })]
    [InlineData("/assign @carol", new[] { "carol" })]
    [InlineData("/assign carol @bob", new[] { "carol", "bob" })]
    [InlineData("/ASSIGN @carol\n/assign bob", new[] { "carol", "bob" })]
    public async Task Handle_Assign_AssignsTheNamedOrTheCommenter(string body, string[] assignees)
    {
        await using var h = await StartAsync();
        var pr = h.Repository.AddPullRequest("alice", new string('a', 40));

        await Dispatcher(h).HandleAsync(h.Comment(pr, "bob", body), Ct);

        Assert.Equal(assignees, pr.Assignees);
        Assert.Empty(h.Repository.CommentsOn(pr.Number));
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_Unassign_RemovesTheCommenterOrTheNamed()
    {
        await using var h = await StartAsync();
        var pr = h.Repository.AddPullRequest("alice", new string('a', 40));
        await Dispatcher(h).HandleAsync(h.Comment(pr, "bob", "/assign bob carol"), Ct);

        await Dispatcher(h).HandleAsync(h.Comment(pr, "bob", "/unassign"), Ct);
        Assert.Equal(["carol"], pr.Assignees);

        await Dispatcher(h).HandleAsync(h.Comment(pr, "bob", "/unassign @carol"), Ct);
        Assert.Empty(pr.Assignees);
        Assert.Equal("DELETE", h.GitHub.Requests.Last(r => r.Path.EndsWith("/assignees", StringComparison.Ordinal)).Method);
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_AssignNonCollaborator_RepliesAsProwOnce()
    {
        await using var h = await StartAsync();
        var pr = h.Repository.AddPullRequest("alice", new string('a', 40));
        var delivery = h.Comment(pr, "bob", "/assign stranger carol");

        var outcome = await Dispatcher(h).HandleAsync(delivery, Ct);
        await Dispatcher(h).HandleAsync(delivery, Ct);

        Assert.Equal("plugins: assign: assignees added: carol, assignees refused: stranger", outcome);
        Assert.Equal(["carol"], pr.Assignees);
        var reply = Assert.Single(h.Repository.CommentsOn(pr.Number));
        Assert.StartsWith(
            "@bob: GitHub didn't allow me to assign the following users: stranger.\n\nNote that only [Codertocat members](https://github.com/orgs/Codertocat/people) with read permissions",
            reply.Body, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_Cc_RequestsReviewsAndUnccWithdraws()
    {
        await using var h = await StartAsync();
        var pr = h.Repository.AddPullRequest("alice", new string('a', 40));

        await Dispatcher(h).HandleAsync(h.Comment(pr, "bob", "/cc @carol @Codertocat/reviewers"), Ct);
        Assert.Equal(["carol", "Codertocat/reviewers"], pr.RequestedReviewers);
        var request = h.GitHub.Requests.Last(r => r.Method == "POST" && r.Path.EndsWith("/requested_reviewers", StringComparison.Ordinal));
        Assert.Contains("\"team_reviewers\":[\"reviewers\"]", request.Body, StringComparison.Ordinal);

        await Dispatcher(h).HandleAsync(h.Comment(pr, "bob", "/uncc carol"), Ct);
        Assert.Equal(["Codertocat/reviewers"], pr.RequestedReviewers);
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_CcTheAuthorAndAStranger_RequestsTheOthersAndReplies()
    {
        await using var h = await StartAsync();
        h.Repository.AddCollaborator("alice");
        var pr = h.Repository.AddPullRequest("alice", new string('a', 40));

        var outcome = await Dispatcher(h).HandleAsync(h.Comment(pr, "bob", "/cc alice stranger carol"), Ct);

        Assert.Equal("plugins: assign: reviewers added: carol, reviewers refused: alice, stranger", outcome);
        Assert.Equal(["carol"], pr.RequestedReviewers);
        Assert.StartsWith(
            "@bob: GitHub didn't allow me to request PR reviews from the following users: alice, stranger.\n\nNote that only [Codertocat members](https://github.com/orgs/Codertocat/people) and repo collaborators can review this PR, and authors cannot review their own PRs.",
            Assert.Single(h.Repository.CommentsOn(pr.Number)).Body, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_OtherText_DoesNothing()
    {
        await using var h = await StartAsync();
        var pr = h.Repository.AddPullRequest("alice", new string('a', 40));

        var outcome = await Dispatcher(h).HandleAsync(h.Comment(pr, "bob", "please /assign me\n/assignee"), Ct);

        Assert.Equal("plugins: nothing to do", outcome);
        Assert.Empty(pr.Assignees);
    }

    private static async Task<TriggerHarness> StartAsync()
    {
        var h = await TriggerHarness.StartAsync("presubmits: {}", Enabled);
        h.Repository.AddCollaborator("bob");
        h.Repository.AddCollaborator("carol");
        return h;
    }

    private static ReviewPlugins Dispatcher(TriggerHarness h) => new(h.Config, [new AssignPlugin(h.Forge)]);
}
