using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Mothership.Ci.Forge;
using Mothership.Ci.Plugins;
using Mothership.Ci.Plugins.Deploy;
using Mothership.Ci.Promotion;
using Mothership.Ci.Tests.Triggers;
using Mothership.Store;
using Mothership.Testing.GitHub;

namespace Mothership.Ci.Tests.Plugins.Deploy;

/// <summary>The deploy plugin through the plugin dispatcher, on the fake GitHub with real payloads; the deploys themselves recorded.</summary>
public sealed class DeployPluginTests
{
    private const string Plugins = """
        plugins:
          Codertocat/Hello-World: [deploy]
        """;

    private const string Site = "stage-kr1";
    private const string Label = "area/alienware/stage";
    private const string Revision = "2222222222222222222222222222222222222222";
    private const string Head = "abababababababababababababababababababab";
    private const string UnknownRevision = "feedfacefeedface";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The deployment pull request of <see cref="Site"/>, its pin at its head.</summary>
    private static FakeIssue DeploymentPullRequest(TriggerHarness h)
    {
        h.Repository.SetFile(Head, DeploymentPullRequests.PinPath(Site), DeploymentPullRequests.PinFile(Site, Revision));
        h.Repository.AddLabel(Label);
        return h.Repository.AddPullRequest("mothership-bot", Head, DeploymentPullRequests.Branch(Site), title: "Deploy stage-kr1 #1");
    }

    private static WebhookDelivery Labeled(TriggerHarness h, FakeIssue pr, string action, string label, string sender)
    {
        var delivery = h.PullRequest(action, pr);
        var root = JsonNode.Parse(delivery.Payload)!;
        root["label"] = new JsonObject { ["name"] = label, ["color"] = "ededed" };
        root["sender"]!["login"] = sender;
        return delivery with { Payload = root.ToJsonString() };
    }

    [Fact(Timeout = 30_000)]
    public async Task Labeled_ByACollaborator_DeploysThePinnedRevisionAndReplies()
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", Plugins);
        var pr = DeploymentPullRequest(h);
        h.Repository.AddCollaborator("alice");
        var deployments = new RecordingDeployments();
        var plugins = new ReviewPlugins(h.Config, [new DeployPlugin(h.Forge, deployments)]);

        var outcome = await plugins.HandleAsync(Labeled(h, pr, "labeled", Label, "alice"), Ct);

        var trigger = Assert.Single(deployments.Started);
        Assert.Equal(new DeployTrigger(Site, Revision, "alice", new RepositoryName("Codertocat", "Hello-World"), pr.Number, Head), trigger);
        Assert.Equal($"plugins: deploy: deploying {Site} at {Revision} (deploy-stage-kr1-abcde)", outcome);
        Assert.Contains("Deploying stage-kr1: http://mothership/runs/deploy-stage-kr1-abcde", Assert.Single(h.Repository.CommentsOn(pr.Number)).Body, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Labeled_BySomeoneWhoMayNotDeploy_LabelRemovedNothingDeploys()
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", Plugins);
        var pr = DeploymentPullRequest(h);
        await h.Forge.AddLabelsAsync(new RepositoryName("Codertocat", "Hello-World"), pr.Number, [Label], Ct);
        var deployments = new RecordingDeployments();
        var plugins = new ReviewPlugins(h.Config, [new DeployPlugin(h.Forge, deployments)]);

        var outcome = await plugins.HandleAsync(Labeled(h, pr, "labeled", Label, "mallory"), Ct);

        Assert.Empty(deployments.Started);
        Assert.DoesNotContain(Label, h.Repository.LabelsOn(pr.Number));
        Assert.Equal($"plugins: deploy: {Label} removed: mallory may not deploy {Site}", outcome);
        Assert.Contains("only collaborators of Codertocat/Hello-World may deploy site stage-kr1", Assert.Single(h.Repository.CommentsOn(pr.Number)).Body, StringComparison.Ordinal);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("kind/bug")]
    [InlineData("area/alienware/prod")]
    public async Task Labeled_AnotherLabel_NotTheSitesConcern(string label)
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", Plugins);
        var pr = DeploymentPullRequest(h);
        h.Repository.AddCollaborator("alice");
        var deployments = new RecordingDeployments();
        var plugins = new ReviewPlugins(h.Config, [new DeployPlugin(h.Forge, deployments)]);

        await plugins.HandleAsync(Labeled(h, pr, "labeled", label, "alice"), Ct);

        Assert.Empty(deployments.Started);
        Assert.Empty(h.Repository.CommentsOn(pr.Number));
    }

    [Fact(Timeout = 30_000)]
    public async Task Labeled_OnAPullRequestThatIsNoDeployment_Ignored()
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", Plugins);
        var pr = h.Repository.AddPullRequest("alice", Head, "feature");
        h.Repository.AddCollaborator("alice");
        var deployments = new RecordingDeployments();
        var plugins = new ReviewPlugins(h.Config, [new DeployPlugin(h.Forge, deployments)]);

        await plugins.HandleAsync(Labeled(h, pr, "labeled", Label, "alice"), Ct);

        Assert.Empty(deployments.Started);
    }

    [Fact(Timeout = 30_000)]
    public async Task UnlabeledAndCancel_StopTheRunningDeploy()
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", Plugins);
        var pr = DeploymentPullRequest(h);
        h.Repository.AddCollaborator("alice");
        var deployments = new RecordingDeployments();
        var plugins = new ReviewPlugins(h.Config, [new DeployPlugin(h.Forge, deployments)]);

        var unlabeled = await plugins.HandleAsync(Labeled(h, pr, "unlabeled", Label, "bob"), Ct);
        var cancelled = await plugins.HandleAsync(h.Comment(pr, "alice", "/cancel"), Ct);
        var refused = await plugins.HandleAsync(h.Comment(pr, "mallory", "/cancel"), Ct);

        Assert.Equal([(Site, "bob"), (Site, "alice")], deployments.Stopped);
        Assert.Equal($"plugins: deploy: stopping {Site}'s deploy deploy-stage-kr1-abcde for bob", unlabeled);
        Assert.Equal($"plugins: deploy: stopping {Site}'s deploy deploy-stage-kr1-abcde for alice", cancelled);
        Assert.Equal("plugins: deploy: /cancel refused: mallory is not a collaborator", refused);
    }

    [Fact(Timeout = 30_000)]
    public async Task DeployCommand_ByAnApproverOfTheSite_ProposesTheRevision()
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", Plugins);
        var pr = DeploymentPullRequest(h);
        h.Repository.SetFile(pr.BaseSha, "OWNERS", "approvers: [root-admin]\n");
        h.Repository.SetFile(pr.BaseSha, $"sites/{Site}/OWNERS", "approvers: [carol]\n");
        var deployments = new RecordingDeployments();
        var plugins = new ReviewPlugins(h.Config, [new DeployPlugin(h.Forge, deployments)]);

        var byCarol = await plugins.HandleAsync(h.Comment(pr, "carol", "/deploy stage/12"), Ct);
        var byAlice = await plugins.HandleAsync(h.Comment(pr, "alice", "/deploy 1111111"), Ct);
        var empty = await plugins.HandleAsync(h.Comment(pr, "carol", "/deploy"), Ct);

        Assert.Equal([(Site, "stage/12", "carol")], deployments.Proposed);
        Assert.Equal($"plugins: deploy: {Site} proposed at stage/12 by carol", byCarol);
        Assert.Equal($"plugins: deploy: /deploy refused: alice is not an approver of sites/{Site}", byAlice);
        Assert.Equal("plugins: deploy: /deploy without a revision", empty);
    }

    [Fact(Timeout = 30_000)]
    public async Task DeployCommand_UnknownRevision_RepliesWhyAndHandlesTheDelivery()
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", Plugins);
        var pr = DeploymentPullRequest(h);
        h.Repository.SetFile(pr.BaseSha, $"sites/{Site}/OWNERS", "approvers: [carol]\n");
        var deployments = new RecordingDeployments();
        var plugins = new ReviewPlugins(h.Config, [new DeployPlugin(h.Forge, deployments)]);

        var handled = await plugins.HandleAsync(h.Comment(pr, "carol", $"/deploy {UnknownRevision}"), Ct);

        Assert.Equal($"plugins: deploy: /deploy {UnknownRevision} not proposed: revision '{UnknownRevision}' names no commit of the site repository", handled);
        Assert.Equal($"@carol: nothing changed: revision '{UnknownRevision}' names no commit of the site repository", Assert.Single(h.Repository.CommentsOn(pr.Number)).Body.Split('\n')[0]);
    }

    [Fact(Timeout = 30_000)]
    public async Task Labeled_SameDeliveryTwice_OneReply()
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", Plugins);
        var pr = DeploymentPullRequest(h);
        h.Repository.AddCollaborator("alice");
        var deployments = new RecordingDeployments { AlreadyRunning = true };
        var plugins = new ReviewPlugins(h.Config, [new DeployPlugin(h.Forge, deployments)]);
        var delivery = Labeled(h, pr, "labeled", Label, "alice");

        await plugins.HandleAsync(delivery, Ct);
        await plugins.HandleAsync(delivery, Ct);

        Assert.Equal("@alice: a deploy of stage-kr1 is running: deploy-stage-kr1-zzzzz", Assert.Single(h.Repository.CommentsOn(pr.Number)).Body.Split('\n')[0]);
    }

    [Fact(Timeout = 30_000)]
    public async Task Labeled_ByACollaboratorThePolicyRefuses_LabelRemovedWithTheReasonNothingDeploys()
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", Plugins);
        var pr = DeploymentPullRequest(h);
        h.Repository.AddCollaborator("bob");
        await h.Forge.AddLabelsAsync(new RepositoryName("Codertocat", "Hello-World"), pr.Number, [Label], Ct);
        var deployments = new RecordingDeployments();
        var permissions = new ListedPermissions(("alice", IDeployPermissions.Create));
        var plugins = new ReviewPlugins(h.Config, [new DeployPlugin(h.Forge, deployments, permissions: permissions)]);

        var outcome = await plugins.HandleAsync(Labeled(h, pr, "labeled", Label, "bob"), Ct);

        Assert.Empty(deployments.Started);
        Assert.DoesNotContain(Label, h.Repository.LabelsOn(pr.Number));
        Assert.Equal($"plugins: deploy: {Label} removed: the access policy does not let bob deploy {Site}", outcome);
        Assert.Contains("github:bob may not deploy site stage-kr1 (no rule allows it)", Assert.Single(h.Repository.CommentsOn(pr.Number)).Body, StringComparison.Ordinal);
        Assert.Equal([("bob", IDeployPermissions.Create, Site)], permissions.Asked);
    }

    [Fact(Timeout = 30_000)]
    public async Task Labeled_ByACollaboratorThePolicyAllows_Deploys()
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", Plugins);
        var pr = DeploymentPullRequest(h);
        h.Repository.AddCollaborator("alice");
        var deployments = new RecordingDeployments();
        var plugins = new ReviewPlugins(h.Config, [new DeployPlugin(h.Forge, deployments, permissions: new ListedPermissions(("alice", IDeployPermissions.Create)))]);

        await plugins.HandleAsync(Labeled(h, pr, "labeled", Label, "alice"), Ct);

        Assert.Single(deployments.Started);
    }

    [Fact(Timeout = 30_000)]
    public async Task Unlabeled_BySomeoneThePolicyRefusesCancel_DeployGoesOn()
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", Plugins);
        var pr = DeploymentPullRequest(h);
        var deployments = new RecordingDeployments();
        var plugins = new ReviewPlugins(h.Config, [new DeployPlugin(h.Forge, deployments, permissions: new ListedPermissions(("alice", IDeployPermissions.Create)))]);

        var outcome = await plugins.HandleAsync(Labeled(h, pr, "unlabeled", Label, "alice"), Ct);

        Assert.Empty(deployments.Stopped);
        Assert.Equal($"plugins: deploy: stop of {Site}'s deploy refused: the access policy does not let alice cancel it", outcome);
    }

    [Fact(Timeout = 30_000)]
    public async Task DeployCommand_ByAnApproverThePolicyRefuses_NothingProposedReplyNamesTheReason()
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", Plugins);
        var pr = DeploymentPullRequest(h);
        h.Repository.SetFile(pr.BaseSha, $"sites/{Site}/OWNERS", "approvers: [carol, alice]\n");
        var deployments = new RecordingDeployments();
        var permissions = new ListedPermissions(("alice", IDeployPermissions.Create));
        var plugins = new ReviewPlugins(h.Config, [new DeployPlugin(h.Forge, deployments, permissions: permissions)]);

        var byCarol = await plugins.HandleAsync(h.Comment(pr, "carol", "/deploy stage/12"), Ct);
        var byAlice = await plugins.HandleAsync(h.Comment(pr, "alice", "/deploy stage/13"), Ct);

        Assert.Equal($"plugins: deploy: /deploy refused: the access policy does not let carol deploy {Site}", byCarol);
        Assert.Equal([(Site, "stage/13", "alice")], deployments.Proposed);
        Assert.Equal([("carol", IDeployPermissions.Create, Site), ("alice", IDeployPermissions.Create, Site)], permissions.Asked);
        Assert.Equal("@carol: github:carol may not deploy site stage-kr1 (no rule allows it): the deployment pull request is unchanged.",
            h.Repository.CommentsOn(pr.Number)[0].Body.Split('\n')[0]);
    }

    /// <summary>A policy that allows exactly the listed (login, action) pairs, and records what it was asked.</summary>
    private sealed class ListedPermissions(params (string Login, string Action)[] allowed) : IDeployPermissions
    {
        public List<(string Login, string Action, string Site)> Asked { get; } = [];

        public Task<DeployPermission?> CheckAsync(string login, string action, string site, CancellationToken cancellationToken)
        {
            Asked.Add((login, action, site));
            return Task.FromResult<DeployPermission?>(allowed.Contains((login, action))
                ? new DeployPermission(true, "policy.csv:2: p, github:alice, deploys, *, stage/*, allow")
                : new DeployPermission(false, "no rule allows it"));
        }
    }

    /// <summary>Deploys recorded: the plugin's seam, which the server implements.</summary>
    private sealed class RecordingDeployments : ISiteDeployments
    {
        public ConcurrentQueue<DeployTrigger> StartedQueue { get; } = new();

        public IReadOnlyList<DeployTrigger> Started => [.. StartedQueue];

        public List<(string Site, string Actor)> Stopped { get; } = [];

        public List<(string Site, string Revision, string Actor)> Proposed { get; } = [];

        public bool AlreadyRunning { get; init; }

        public Task<string?> LabelForAsync(string site, CancellationToken cancellationToken) =>
            Task.FromResult(site.StartsWith("stage-", StringComparison.Ordinal) ? Label : null);

        public Task<DeployStart> StartAsync(DeployTrigger trigger, CancellationToken cancellationToken)
        {
            if (AlreadyRunning)
            {
                return Task.FromResult(new DeployStart(false, $"a deploy of {trigger.Site} is running: deploy-{trigger.Site}-zzzzz"));
            }

            StartedQueue.Enqueue(trigger);
            return Task.FromResult(new DeployStart(true, $"Deploying {trigger.Site}: http://mothership/runs/deploy-{trigger.Site}-abcde", $"deploy-{trigger.Site}-abcde"));
        }

        public Task<string?> StopAsync(string site, string actor, CancellationToken cancellationToken)
        {
            Stopped.Add((site, actor));
            return Task.FromResult<string?>($"deploy-{site}-abcde");
        }

        public Task<DeployProposal> ProposeAsync(string site, string revision, string actor, CancellationToken cancellationToken)
        {
            Proposed.Add((site, revision, actor));
            return Task.FromResult(revision == UnknownRevision
                ? new DeployProposal(null, $"revision '{revision}' names no commit of the site repository")
                : new DeployProposal(new PullRequest(7, "Deploy", "mothership-bot", PullRequestState.Open, false, false, true, Head, DeploymentPullRequests.Branch(site), "main", Head)));
        }
    }
}
