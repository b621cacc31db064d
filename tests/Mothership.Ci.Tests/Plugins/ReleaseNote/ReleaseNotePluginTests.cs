using Mothership.Ci.Plugins;
using Mothership.Ci.Plugins.ReleaseNote;
using Mothership.Ci.Tests.Triggers;

namespace Mothership.Ci.Tests.Plugins.ReleaseNote;

/// <summary>The release-note rules, and the plugin through the dispatcher on the fake GitHub with real payloads.</summary>
public sealed class ReleaseNotePluginTests
{
    private const string Enabled = """
        plugins:
          Codertocat/Hello-World: [release-note]
        release_note:
          guidelines_url: https://example.com/release-notes
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("Fixes a bug.\n\n```release-note\nThe server restarts faster.\n```\n", "release-note", "The server restarts faster.")]
    [InlineData("```release-note\nACTION REQUIRED: rename the setting.\n```", "release-note-action-required", "ACTION REQUIRED: rename the setting.")]
    [InlineData("```release-note\nNONE\n```", "release-note-none", "NONE")]
    [InlineData("```release-note\n  none.\n```", "release-note-none", "none.")]
    [InlineData("```release-note\nNo\n```", "release-note-none", "No")]
    [InlineData("```release-note\nNot needed\n```", "release-note", "Not needed")]
    [InlineData("```release-note\n\n```", "do-not-merge/release-note-label-needed", "")]
    [InlineData("Just a change.", "do-not-merge/release-note-label-needed", "")]
    [InlineData(null, "do-not-merge/release-note-label-needed", "")]
    [InlineData("**Release note**:\n<!-- Write your release note -->\n```\nUsers see the new page.\n```", "release-note", "Users see the new page.")]
    public void LabelFor_Body_FollowsProwsRules(string? body, string label, string note)
    {
        Assert.Equal(label, ReleaseNotes.LabelFor(body, new HashSet<string>()));
        Assert.Equal(note, ReleaseNotes.Extract(body));
    }

    [Fact]
    public void LabelFor_Deprecation_NeedsARealNote()
    {
        Assert.Equal(ReleaseNotes.LabelNeededLabel, ReleaseNotes.LabelFor("```release-note\nNONE\n```", new HashSet<string> { "kind/deprecation" }));
        Assert.Equal(ReleaseNotes.NoneLabel, ReleaseNotes.LabelFor("no block", new HashSet<string> { "release-note-none" }));
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_OpenedWithoutBlock_LabelsAndCommentsOnce()
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", Enabled);
        var pr = h.Repository.AddPullRequest("alice", new string('a', 40));
        pr.Body = "Refactors the store.";
        var opened = h.PullRequest("opened", pr);

        var outcome = await Dispatcher(h).HandleAsync(opened, Ct);
        await Dispatcher(h).HandleAsync(opened, Ct);

        Assert.Equal("plugins: release-note: do-not-merge/release-note-label-needed", outcome);
        Assert.Equal([ReleaseNotes.LabelNeededLabel], h.Repository.LabelsOn(pr.Number));
        Assert.Equal(
            "Adding the \"do-not-merge/release-note-label-needed\" label because no release-note block was detected, please follow our [release note process](https://example.com/release-notes) to remove it.",
            Assert.Single(h.Repository.CommentsOn(pr.Number)).Body);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("```release-note\nFaster start.\n```", "release-note")]
    [InlineData("```release-note\nAction required: migrate the store.\n```", "release-note-action-required")]
    [InlineData("```release-note\nNONE\n```", "release-note-none")]
    public async Task Handle_BodyEditedWithBlock_ReplacesTheNeededLabelAndDropsTheNotice(string block, string label)
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", Enabled);
        var pr = h.Repository.AddPullRequest("alice", new string('a', 40));
        await Dispatcher(h).HandleAsync(h.PullRequest("opened", pr), Ct);
        pr.Body = "Better now.\n\n" + block;

        await Dispatcher(h).HandleAsync(h.PullRequest("edited", pr), Ct);

        Assert.Equal([label], h.Repository.LabelsOn(pr.Number));
        Assert.Empty(h.Repository.CommentsOn(pr.Number));
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_ReleaseNoteNoneFromTheAuthor_MarksNoneAndDropsNeeded()
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", Enabled);
        var pr = h.Repository.AddPullRequest("alice", new string('a', 40));
        await Dispatcher(h).HandleAsync(h.PullRequest("opened", pr), Ct);

        var outcome = await Dispatcher(h).HandleAsync(h.Comment(pr, "alice", "/release-note-none"), Ct);

        Assert.Equal("plugins: release-note: release-note-none", outcome);
        Assert.Equal([ReleaseNotes.NoneLabel], h.Repository.LabelsOn(pr.Number));
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_ReleaseNoteNoneFromAStranger_Refused()
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", Enabled);
        var pr = h.Repository.AddPullRequest("alice", new string('a', 40));

        await Dispatcher(h).HandleAsync(h.Comment(pr, "stranger", "/release-note-none"), Ct);

        Assert.Empty(h.Repository.LabelsOn(pr.Number));
        Assert.StartsWith(
            "@stranger: you can only set the release note label to release-note-none if you are the PR author or an org member.",
            Assert.Single(h.Repository.CommentsOn(pr.Number)).Body, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_ReleaseNoteNoneWithANoteInTheBody_Refused()
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", Enabled);
        var pr = h.Repository.AddPullRequest("alice", new string('a', 40));
        pr.Body = "```release-note\nA real note.\n```";

        await Dispatcher(h).HandleAsync(h.Comment(pr, "alice", "/release-note-none"), Ct);

        Assert.Empty(h.Repository.LabelsOn(pr.Number));
        Assert.StartsWith(
            "@alice: you can only set the release note label to release-note-none if the release-note block in the PR body text is empty or \"none\".",
            Assert.Single(h.Repository.CommentsOn(pr.Number)).Body, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_OpenedAfterReleaseNoteNoneComment_IsNone()
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", Enabled);
        var pr = h.Repository.AddPullRequest("alice", new string('a', 40));
        await h.Forge.CreateCommentAsync(new Mothership.Ci.Forge.RepositoryName(TriggerHarness.Owner, TriggerHarness.Repo), pr.Number, "/release-note-none", Ct);

        await Dispatcher(h).HandleAsync(h.PullRequest("opened", pr), Ct);

        Assert.Equal([ReleaseNotes.NoneLabel], h.Repository.LabelsOn(pr.Number));
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_CherryPickOfNotedParent_NeedsNoNote()
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", Enabled);
        var parent = h.Repository.AddPullRequest("alice", new string('a', 40));
        await h.Forge.AddLabelsAsync(new Mothership.Ci.Forge.RepositoryName(TriggerHarness.Owner, TriggerHarness.Repo), parent.Number, [ReleaseNotes.ReleaseNoteLabel], Ct);
        var pick = h.Repository.AddPullRequest("bot", new string('c', 40), "pick", "release-1.2");
        pick.Body = $"Cherry pick of #{parent.Number} on release-1.2.";

        var outcome = await Dispatcher(h).HandleAsync(h.PullRequest("opened", pick), Ct);

        Assert.Equal("plugins: release-note: cherry-pick of pull requests with release notes", outcome);
        Assert.Empty(h.Repository.LabelsOn(pick.Number));
        Assert.Empty(h.Repository.CommentsOn(pick.Number));
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_CherryPickOfNotelessParent_NeedsANoteAndNamesTheParent()
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", Enabled);
        var parent = h.Repository.AddPullRequest("alice", new string('a', 40));
        var pick = h.Repository.AddPullRequest("bot", new string('c', 40), "pick", "release-1.2");
        pick.Body = $"Cherry pick of #{parent.Number} on release-1.2.";

        await Dispatcher(h).HandleAsync(h.PullRequest("opened", pick), Ct);

        Assert.Equal([ReleaseNotes.LabelNeededLabel], h.Repository.LabelsOn(pick.Number));
        var comments = h.Repository.CommentsOn(pick.Number);
        Assert.Equal(2, comments.Count);
        Assert.Contains($"The following parent PRs have neither the \"release-note\" nor the \"release-note-action-required\" labels: #{parent.Number}.", comments[0].Body, StringComparison.Ordinal);
    }

    private static ReviewPlugins Dispatcher(TriggerHarness h) => new(h.Config, [new ReleaseNotePlugin(h.Forge)]);
}
