using Mothership.Ci.Hooks;
using Mothership.Store;

namespace Mothership.Ci.Tests.Hooks;

public sealed class GitHubEventTests
{
    private static GitHubEvent Read(string @event, string file) =>
        GitHubEvent.Read(new WebhookDelivery("d", @event, File.ReadAllText(Path.Combine(Fixtures.GitHubWebhooks(), @event, file)), DateTimeOffset.UnixEpoch));

    [Theory]
    [InlineData("pull_request", "opened.payload.json", "Codertocat/Hello-World#2")]
    [InlineData("issue_comment", "created.payload.json", "Codertocat/Hello-World#1")]
    [InlineData("push", "with-new-branch.payload.json", "Codertocat/Hello-World@refs/heads/master")]
    public void OrderKey_GitHubsPayloads_ThePullRequestOrThePushedRef(string @event, string file, string key) =>
        Assert.Equal(key, Read(@event, file).OrderKey);

    [Fact]
    public void OrderKey_EventOfNoPullRequestNorRef_None() =>
        Assert.Null(Read("check_run", "completed.payload.json").OrderKey);
}
