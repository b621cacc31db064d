using Mothership.Ci.Plugins;
using Mothership.Ci.Plugins.Label;
using Mothership.Ci.Tests.Triggers;

namespace Mothership.Ci.Tests.Plugins.Label;

/// <summary>The label plugin through the plugin dispatcher, on the fake GitHub with real payloads.</summary>
public sealed class LabelPluginTests
{
    private const string Enabled = """
        plugins:
          Codertocat: [label]
        label:
          additional_labels: [api-review, Community/Discussion]
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory(Timeout = 30_000)]
    [InlineData("/kind bug", "kind/bug")]
    [InlineData("/area prow", "area/prow")]
    [InlineData("/priority critical-urgent", "priority/critical-urgent")]
    [InlineData("/sig testing", "sig/testing")]
    [InlineData("/triage needs-information", "triage/needs-information")]
    [InlineData("/KIND Bug", null)]
    [InlineData("/label api-review", "api-review")]
    [InlineData("/label community/discussion", "community/discussion")]
    public async Task Handle_CategoryCommand_AddsAnExistingLabel(string body, string? label)
    {
        await using var h = await StartAsync();
        var pr = h.Repository.AddPullRequest("alice", new string('a', 40));

        await Dispatcher(h).HandleAsync(h.Comment(pr, "stranger", body), Ct);

        Assert.Equal(label is null ? [] : [label], h.Repository.LabelsOn(pr.Number).Select(l => l.ToLowerInvariant()));
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_SeveralLabelsOnOneLine_AddsEach()
    {
        await using var h = await StartAsync();
        var pr = h.Repository.AddPullRequest("alice", new string('a', 40));

        var outcome = await Dispatcher(h).HandleAsync(h.Comment(pr, "stranger", "/kind bug feature\n<!-- /kind cleanup -->"), Ct);

        Assert.Equal("plugins: label: added kind/bug, kind/feature", outcome);
        Assert.Equal(["kind/bug", "kind/feature"], h.Repository.LabelsOn(pr.Number));
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_LabelTheRepositoryLacks_RepliesAndCreatesNothing()
    {
        await using var h = await StartAsync();
        var pr = h.Repository.AddPullRequest("alice", new string('a', 40));
        var labelsBefore = h.GitHub.Requests.Count;

        await Dispatcher(h).HandleAsync(h.Comment(pr, "stranger", "/kind nonsense\n/area prow"), Ct);

        Assert.Equal(["area/prow"], h.Repository.LabelsOn(pr.Number));
        Assert.DoesNotContain(h.GitHub.Requests.Skip(labelsBefore), r => r.Method == "POST" && r.Path.EndsWith("/labels", StringComparison.Ordinal) && r.Body.Contains("nonsense", StringComparison.Ordinal));
        var reply = Assert.Single(h.Repository.CommentsOn(pr.Number));
        Assert.StartsWith("@stranger: The label(s) `kind/nonsense` cannot be applied, because the repository doesn't have them.\n", reply.Body, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_LabelNotConfigured_RepliesWithTheSupportedOnes()
    {
        await using var h = await StartAsync();
        var pr = h.Repository.AddPullRequest("alice", new string('a', 40));

        await Dispatcher(h).HandleAsync(h.Comment(pr, "stranger", "/label lgtm"), Ct);

        Assert.Empty(h.Repository.LabelsOn(pr.Number));
        Assert.StartsWith(
            "@stranger: The label(s) `/label lgtm` cannot be applied. These labels are supported: `api-review, Community/Discussion`.",
            Assert.Single(h.Repository.CommentsOn(pr.Number)).Body, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_RemoveLastOfCategory_RemovesAndAddsNeedsLabel()
    {
        await using var h = await StartAsync();
        var pr = h.Repository.AddPullRequest("alice", new string('a', 40));
        await Dispatcher(h).HandleAsync(h.Comment(pr, "stranger", "/kind bug\n/label api-review"), Ct);

        await Dispatcher(h).HandleAsync(h.Comment(pr, "stranger", "/remove-kind bug\n/remove-label api-review"), Ct);

        Assert.Equal(["needs-kind"], h.Repository.LabelsOn(pr.Number));
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_RemoveAbsentLabel_RepliesProwsText()
    {
        await using var h = await StartAsync();
        var pr = h.Repository.AddPullRequest("alice", new string('a', 40));

        await Dispatcher(h).HandleAsync(h.Comment(pr, "stranger", "/remove-area prow"), Ct);

        Assert.StartsWith("@stranger: Those labels are not set on the issue: `area/prow`\n", Assert.Single(h.Repository.CommentsOn(pr.Number)).Body, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_TriageAcceptedFromNonMember_Refused()
    {
        await using var h = await StartAsync();
        h.GitHub.Organization("Codertocat").AddMember("maintainer");
        var pr = h.Repository.AddPullRequest("alice", new string('a', 40));

        await Dispatcher(h).HandleAsync(h.Comment(pr, "stranger", "/triage accepted"), Ct);
        Assert.Empty(h.Repository.LabelsOn(pr.Number));
        Assert.StartsWith("@stranger: The label `triage/accepted` cannot be applied. Only GitHub organization members can add the label.", Assert.Single(h.Repository.CommentsOn(pr.Number)).Body, StringComparison.Ordinal);

        await Dispatcher(h).HandleAsync(h.Comment(pr, "maintainer", "/triage accepted"), Ct);
        Assert.Equal(["triage/accepted"], h.Repository.LabelsOn(pr.Number));
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_SameDeliveryTwice_ChangesNothingTheSecondTime()
    {
        await using var h = await StartAsync();
        var pr = h.Repository.AddPullRequest("alice", new string('a', 40));
        await Dispatcher(h).HandleAsync(h.Comment(pr, "stranger", "/kind bug"), Ct);
        var delivery = h.Comment(pr, "stranger", "/remove-kind bug\n/kind nonsense");
        await Dispatcher(h).HandleAsync(delivery, Ct);
        var comments = h.Repository.CommentsOn(pr.Number);

        await Dispatcher(h).HandleAsync(delivery, Ct);

        Assert.Equal(comments, h.Repository.CommentsOn(pr.Number));
        Assert.Single(comments);

        // Prow: a kind being added (even one the repository lacks) means no needs-kind.
        Assert.Empty(h.Repository.LabelsOn(pr.Number));
    }

    private static async Task<TriggerHarness> StartAsync()
    {
        var h = await TriggerHarness.StartAsync("presubmits: {}", Enabled);
        foreach (var label in new[] { "kind/bug", "kind/feature", "kind/cleanup", "area/prow", "priority/critical-urgent", "sig/testing", "triage/needs-information", "triage/accepted", "needs-kind", "api-review", "community/discussion", "lgtm" })
        {
            h.Repository.AddLabel(label);
        }

        return h;
    }

    private static ReviewPlugins Dispatcher(TriggerHarness h) => new(h.Config, [new LabelPlugin(h.Forge)]);
}
