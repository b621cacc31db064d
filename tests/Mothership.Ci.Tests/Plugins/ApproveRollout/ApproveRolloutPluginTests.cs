using Mothership.Ci.Plugins;
using Mothership.Ci.Plugins.ApproveRollout;
using Mothership.Ci.Promotion;
using Mothership.Ci.Tests.Triggers;
using Mothership.Testing.GitHub;

namespace Mothership.Ci.Tests.Plugins.ApproveRollout;

/// <summary>The approve-rollout plugin through the plugin dispatcher, on the fake GitHub with real payloads; the server's answers recorded.</summary>
public sealed class ApproveRolloutPluginTests
{
    private const string Plugins = """
        plugins:
          Codertocat/Hello-World: [approve-rollout, help]
        """;

    private const string Rollout = "prod-2222222-abcde";
    private const string Revision = "2222222222222222222222222222222222222222";
    private const string Head = "abababababababababababababababababababab";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>prod's rollout pull request, its body naming <see cref="Rollout"/>.</summary>
    private static FakeIssue RolloutPullRequest(TriggerHarness h, string environment = "prod", string? body = null)
    {
        var pr = h.Repository.AddPullRequest("mothership-bot", Head, DeploymentPullRequests.RolloutBranch(environment), title: "Roll out prod");
        pr.Body = body ?? DeploymentPullRequests.RolloutBody(new RolloutRequest
        {
            Rollout = Rollout, Environment = "prod", To = Revision, Actor = "promotion", Status = "Running",
            Waves = [new RolloutRequestWave("canary", ["prod-a"], null, [], null, false), new RolloutRequestWave("wave-1", ["prod-b"], "before-wave-1", ["sre"], null, true)],
        });
        return pr;
    }

    private static string FirstLine(FakeComment comment) => comment.Body.Split('\n')[0];

    [Fact(Timeout = 30_000)]
    public async Task ApproveRollout_ByAnApprover_ApprovesTheWaitingGateOfThePullRequestsRolloutAndReplies()
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", Plugins);
        var pr = RolloutPullRequest(h);
        var approvals = new RecordingApprovals(approve: "carol");
        var plugins = new ReviewPlugins(h.Config, [new ApproveRolloutPlugin(h.Forge, approvals)]);

        var outcome = await plugins.HandleAsync(h.Comment(pr, "carol", "/approve-rollout"), Ct);

        Assert.Equal([("carol", "prod", Rollout, (string?)null)], approvals.Asked);
        Assert.Equal($"plugins: approve-rollout: carol approved the waiting gate of {Rollout}", outcome);
        Assert.Equal($"@carol: github:carol approved before-wave-1 of rollout {Rollout}.", FirstLine(Assert.Single(h.Repository.CommentsOn(pr.Number))));
    }

    [Fact(Timeout = 30_000)]
    public async Task ApproveRollout_Refused_RepliesTheServersReason()
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", Plugins);
        var pr = RolloutPullRequest(h);
        var approvals = new RecordingApprovals(approve: "carol");
        var plugins = new ReviewPlugins(h.Config, [new ApproveRolloutPlugin(h.Forge, approvals)]);

        var outcome = await plugins.HandleAsync(h.Comment(pr, "mallory", "/approve-rollout wave-1"), Ct);

        Assert.Equal([("mallory", "prod", Rollout, (string?)"wave-1")], approvals.Asked);
        Assert.Equal("plugins: approve-rollout: /approve-rollout by mallory refused: github:mallory may not approve before-wave-1: it takes one of the roles sre", outcome);
        Assert.Equal("@mallory: github:mallory may not approve before-wave-1: it takes one of the roles sre", FirstLine(Assert.Single(h.Repository.CommentsOn(pr.Number))));
    }

    [Fact(Timeout = 30_000)]
    public async Task ApproveRollout_SameDeliveryTwice_OneReply()
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", Plugins);
        var pr = RolloutPullRequest(h);
        var plugins = new ReviewPlugins(h.Config, [new ApproveRolloutPlugin(h.Forge, new RecordingApprovals(approve: "carol"))]);
        var delivery = h.Comment(pr, "carol", "/approve-rollout");

        await plugins.HandleAsync(delivery, Ct);
        await plugins.HandleAsync(delivery, Ct);

        Assert.Single(h.Repository.CommentsOn(pr.Number));
    }

    [Theory(Timeout = 30_000)]
    [InlineData("/approve-rollout Wave_1")]
    [InlineData("/approve-rollout ../x")]
    public async Task ApproveRollout_NotAGate_RepliesUsageAsksNothing(string command)
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", Plugins);
        var pr = RolloutPullRequest(h);
        var approvals = new RecordingApprovals(approve: "carol");
        var plugins = new ReviewPlugins(h.Config, [new ApproveRolloutPlugin(h.Forge, approvals)]);

        var outcome = await plugins.HandleAsync(h.Comment(pr, "carol", command), Ct);

        Assert.Empty(approvals.Asked);
        Assert.Equal("plugins: approve-rollout: /approve-rollout: not a gate", outcome);
        Assert.Contains("`/approve-rollout` takes nothing", Assert.Single(h.Repository.CommentsOn(pr.Number)).Body, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task ApproveRollout_BodyWithoutTheMarkOrOfAnotherEnvironment_RepliesNothingApproved()
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", Plugins);
        var edited = RolloutPullRequest(h, body: "someone rewrote the body");
        var approvals = new RecordingApprovals(approve: "carol");
        var plugins = new ReviewPlugins(h.Config, [new ApproveRolloutPlugin(h.Forge, approvals)]);

        var outcome = await plugins.HandleAsync(h.Comment(edited, "carol", "/approve-rollout"), Ct);

        Assert.Empty(approvals.Asked);
        Assert.Equal("plugins: approve-rollout: /approve-rollout: the pull request names no rollout", outcome);
        Assert.Equal("@carol: this pull request names no rollout of environment prod: nothing was approved.", FirstLine(Assert.Single(h.Repository.CommentsOn(edited.Number))));
    }

    [Fact(Timeout = 30_000)]
    public async Task ApproveRollout_OnAPullRequestThatIsNoRollout_Ignored()
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", Plugins);
        var feature = h.Repository.AddPullRequest("alice", Head, "feature");
        var deploy = h.Repository.AddPullRequest("mothership-bot", "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd", DeploymentPullRequests.Branch("prod-a"));
        var approvals = new RecordingApprovals(approve: "carol");
        var plugins = new ReviewPlugins(h.Config, [new ApproveRolloutPlugin(h.Forge, approvals)]);

        var onFeature = await plugins.HandleAsync(h.Comment(feature, "carol", "/approve-rollout"), Ct);
        var onDeploy = await plugins.HandleAsync(h.Comment(deploy, "carol", "/approve-rollout"), Ct);

        Assert.Empty(approvals.Asked);
        Assert.Equal(("plugins: nothing to do", "plugins: nothing to do"), (onFeature, onDeploy));
        Assert.Empty(h.Repository.CommentsOn(feature.Number));
    }

    [Fact(Timeout = 30_000)]
    public async Task Help_ListsApproveRolloutWithWhoMayUseIt()
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", Plugins);
        var plugins = new ReviewPlugins(h.Config, [new ApproveRolloutPlugin(h.Forge, new RecordingApprovals(approve: "carol"))], h.Forge);

        var help = plugins.HelpText("Codertocat/Hello-World");

        Assert.Contains("- **approve-rollout**: The approve-rollout plugin opens a rollout's approval gate", help, StringComparison.Ordinal);
        Assert.Contains("`/approve-rollout [GATE]`", help, StringComparison.Ordinal);
        Assert.Contains("per the access policy (github:LOGIN)", help, StringComparison.Ordinal);
    }

    /// <summary>The server's side recorded: <paramref name="approve"/> is let through, anybody else refused as the server words it.</summary>
    private sealed class RecordingApprovals(string approve) : IRolloutApprovals
    {
        public List<(string Login, string Environment, string Rollout, string? Gate)> Asked { get; } = [];

        public Task<RolloutApproval> ApproveAsync(string login, string environment, string rollout, string? gate, CancellationToken cancellationToken)
        {
            Asked.Add((login, environment, rollout, gate));
            return Task.FromResult(login == approve
                ? new RolloutApproval(true, $"github:{login} approved before-wave-1 of rollout {rollout}.")
                : new RolloutApproval(false, $"github:{login} may not approve before-wave-1: it takes one of the roles sre"));
        }
    }
}
