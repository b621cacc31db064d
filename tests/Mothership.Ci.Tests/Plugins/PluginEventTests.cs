using System.Text.Json.Nodes;
using Mothership.Ci.Plugins;
using Mothership.Store;

namespace Mothership.Ci.Tests.Plugins;

/// <summary>GitHub's own payloads read as the plugins see them.</summary>
public sealed class PluginEventTests
{
    [Theory]
    [InlineData("issue_comment", "created.payload.json", GenericCommentAction.Created, false)]
    [InlineData("issue_comment", "edited.payload.json", GenericCommentAction.Edited, false)]
    [InlineData("issue_comment", "deleted.payload.json", GenericCommentAction.Deleted, false)]
    [InlineData("pull_request_review", "submitted.payload.json", GenericCommentAction.Created, true)]
    [InlineData("pull_request_review", "dismissed.payload.json", GenericCommentAction.Deleted, true)]
    [InlineData("pull_request", "opened.payload.json", GenericCommentAction.Created, true)]
    public void Read_RealPayload_FindsTheCommentAndWhere(string @event, string file, GenericCommentAction action, bool pull)
    {
        var e = PluginEvent.Read(Delivery(@event, file))!;

        Assert.Equal("Codertocat/Hello-World", e.OrgRepo);
        Assert.NotNull(e.Number);
        Assert.Equal(pull, e.IsPullRequest);
        Assert.Equal(action, e.Comment!.Action);
        Assert.Equal(action == GenericCommentAction.Created, e.NewComment is not null);
        Assert.False(string.IsNullOrEmpty(e.Comment.User));
    }

    [Fact]
    public void Read_Review_KeepsItsStateLowerCase()
    {
        var e = PluginEvent.Read(Delivery("pull_request_review", "submitted.payload.json"))!;

        Assert.Equal("commented", e.Comment!.ReviewState);
        Assert.NotNull(e.HeadSha);
    }

    [Fact]
    public void Read_PullRequestLabeled_CarriesNoComment()
    {
        var e = PluginEvent.Read(Delivery("pull_request", "labeled.payload.json"))!;

        Assert.Null(e.Comment);
        Assert.NotEmpty(e.Labels);
    }

    private static WebhookDelivery Delivery(string @event, string file)
    {
        var text = File.ReadAllText(Path.Combine(Fixtures.GitHubWebhooks(), @event, file));
        Assert.IsType<JsonObject>(JsonNode.Parse(text));
        return new WebhookDelivery("d-1", @event, text, DateTimeOffset.UnixEpoch);
    }
}
