using System.Text.Json.Nodes;
using Mothership.Ci.Releases;

namespace Mothership.Ci.Tests.Releases;

public sealed class PullRequestRecorderTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 3, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Read_GitHubsClosedPayload_EveryFieldRecorded()
    {
        var payload = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures.GitHubWebhooks(), "pull_request", "closed.payload.json")));

        var record = PullRequestRecorder.Read(payload, Now);

        Assert.NotNull(record);
        Assert.Equal(("Codertocat/Hello-World", 2, "Codertocat", "This is a pretty simple change that we need to pull into master.", "Update the README with new information."),
            (record.Repository, record.Number, record.Author, record.Body, record.Title));
        Assert.Equal(["bug"], record.Labels);
        Assert.Null(record.MergeCommitSha); // closed without merging: GitHub's merge_commit_sha is a test merge
        Assert.Equal(Now, record.UpdatedAt);
    }

    [Fact]
    public void Read_NoPullRequest_Null()
    {
        Assert.Null(PullRequestRecorder.Read(JsonNode.Parse("""{"action":"opened","issue":{"number":3}}"""), Now));
        Assert.Null(PullRequestRecorder.Read(JsonNode.Parse("""{"pull_request":{"title":"no number"},"repository":{"full_name":"o/r"}}"""), Now));
    }
}
