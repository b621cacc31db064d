using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Mothership.Ci.Forge;
using Mothership.Ci.Hooks;
using Mothership.Ci.Releases;
using Mothership.Store;
using Mothership.Testing.GitHub;

namespace Mothership.Ci.Tests.Releases;

/// <summary>A release's notes from a real git history, with pull requests read from the fake GitHub, or from the store when GitHub cannot be reached.</summary>
public sealed class ReleaseNoteGathererTests : IAsyncLifetime
{
    private static readonly RepositoryName Repo = new("org", "app");

    /// <summary>What the history of <see cref="ReleaseHistory"/> renders to: #3 is release-note-none, #4 an issue.</summary>
    private const string Expected = """
        ## Urgent Upgrade Notes 

        ### (No, really, you MUST read this before you upgrade)

        - The API moved to v2: update your clients. (#5, @bob)
         
        ## Changes by Kind

        ### Feature

        - Pipelines can wait for approval. (#1, @alice)

        ### Bug or Regression

        - Fixed a scheduler race. (#2, @carol)

        """;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 3, 0, 0, 0, TimeSpan.Zero));
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mship-gather-");
    private readonly ReleaseHistory _history = new();
    private FakeGitHub _github = null!;
    private IRunStore _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The pull requests of the history: (number, author, body, labels); #4 is left to be an issue.</summary>
    private static readonly (int Number, string Author, string Body, string[] Labels)[] PullRequests =
    [
        (1, "alice", "Adds approvals.\n\n```release-note\nPipelines can wait for approval.\n```", ["kind/feature", "release-note", "lgtm"]),
        (2, "carol", "```release-note\n- Fixed a scheduler race.\n```", ["kind/bug", "kind/cleanup", "release-note"]),
        (3, "dave", "```release-note\nNONE\n```", ["kind/cleanup", "release-note-none"]),
        (5, "bob", "```release-note\nThe API moved to v2: update your clients.\n```", ["kind/api-change", "release-note-action-required"]),
    ];

    public async ValueTask InitializeAsync()
    {
        _github = await FakeGitHub.StartAsync(new FakeGitHubOptions { Token = "t" }, Ct);
        var repo = _github.AddRepository(Repo.Owner, Repo.Name);
        foreach (var (number, author, body, labels) in PullRequests)
        {
            while (repo.Issue(number - 1) is null && number > 1)
            {
                repo.AddIssue("an issue");
            }

            var pr = repo.AddPullRequest(author, new string('a', 40), title: $"PR {number}");
            Assert.Equal(number, pr.Number);
            pr.Body = body;
            pr.Merged = true;
            pr.Closed = true;
            repo.AddLabelsTo(number, labels);
        }

        _store = RunStoreFactory.Open("sqlite:" + Path.Combine(_dir.FullName, "store.db"), _time);
        await _store.MigrateAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        Assert.Empty(_github.Errors);
        await _github.DisposeAsync();
        await _store.DisposeAsync();
        _history.Dispose();
        _dir.Delete(recursive: true);
    }

    [Fact(Timeout = 60_000)]
    public async Task GatherAsync_FromGitHub_MergeAndSquashCommitsInKubernetesFormat()
    {
        var forge = GitHubForge.WithToken(new GitHubForgeOptions { ApiUrl = _github.BaseUri }, "t", _time);

        var gathered = await ReleaseNoteGatherer.GatherAsync(_history.Path, "v1.0.0", "main", Repo, new ForgePullRequestSource(forge), Ct);

        Assert.Equal(Expected, gathered.Document().ToMarkdown());
        Assert.Equal([4], gathered.Missing);
        Assert.Equal([5, 3, 2, 1], gathered.Notes.Select(n => n.PullRequest!.Value));
        Assert.Equal("v2.0.0", ReleaseVersion.Next("v1.0.0", gathered.Notes));
    }

    [Fact(Timeout = 60_000)]
    public async Task GatherAsync_GitHubUnreachable_NotesFromPullRequestsRecordedFromWebhooks()
    {
        // The bot recorded each pull request from its webhook deliveries, the last one (merged) winning.
        var recorder = new DeliveryHandlers([new PullRequestRecorder(_store, _time), new RecordingDeliveryHandler()]);
        foreach (var (number, author, body, labels) in PullRequests)
        {
            var opened = Payload("opened", number, author, "```release-note\nTBD\n```", []);
            Assert.StartsWith("ok: pull_request opened", await recorder.HandleAsync(new WebhookDelivery($"o{number}", "pull_request", opened, _time.GetUtcNow()), Ct), StringComparison.Ordinal);
            await recorder.HandleAsync(new WebhookDelivery($"c{number}", "pull_request", Payload("closed", number, author, body, labels), _time.GetUtcNow()), Ct);
        }

        var unreachable = GitHubForge.WithToken(new GitHubForgeOptions { ApiUrl = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}/") }, "t", _time);
        Exception? why = null;
        var source = new FallbackPullRequestSource(new ForgePullRequestSource(unreachable), new StorePullRequestSource(_store), e => why = e);

        var gathered = await ReleaseNoteGatherer.GatherAsync(_history.Path, "v1.0.0", "main", Repo, source, Ct);

        Assert.Equal(Expected, gathered.Document().ToMarkdown());
        Assert.Equal([4], gathered.Missing);
        Assert.True(source.FellBack);
        Assert.NotNull(why);
        var stored = await _store.GetPullRequestAsync("org/app", 5, Ct);
        Assert.Equal((new string('b', 40), "bob"), (stored!.MergeCommitSha, stored.Author));
    }

    [Fact(Timeout = 60_000)]
    public async Task FallbackPullRequestSource_PrimaryAnswers_FallbackNeverAsked()
    {
        var forge = GitHubForge.WithToken(new GitHubForgeOptions { ApiUrl = _github.BaseUri }, "t", _time);
        var source = new FallbackPullRequestSource(new ForgePullRequestSource(forge), new StorePullRequestSource(_store));

        var pr = await source.GetAsync(Repo, 2, Ct);

        Assert.Equal(("carol", PullRequests[1].Body), (pr!.Author, pr.Body));
        Assert.False(source.FellBack);
    }

    [Fact]
    public void NoteFor_ActionRequiredInTextWithoutLabel_Urgent()
    {
        var note = ReleaseNoteGatherer.NoteFor(new PullRequestRecord
        {
            Repository = "org/app", Number = 8, Author = "erin", Body = "```release-note\nAction required: rotate the keys.\n```", Labels = ["kind/feature"],
        });

        Assert.Equal(new ReleaseNote { Markdown = "Action required: rotate the keys.", PullRequest = 8, Author = "erin", Kinds = ["feature"], ActionRequired = true }, note);
    }

    [Theory]
    [InlineData("No block here.", "kind/bug")]
    [InlineData("```release-note\nNone.\n```", "kind/bug")]
    [InlineData("```release-note\nA real note.\n```", "release-note-none")]
    public void NoteFor_NoNoteOrNone_NotPublished(string body, string label) =>
        Assert.True(ReleaseNoteGatherer.NoteFor(new PullRequestRecord { Repository = "org/app", Number = 1, Body = body, Labels = [label] }).DoNotPublish);

    private static string Payload(string action, int number, string author, string body, string[] labels) => new JsonObject
    {
        ["action"] = action,
        ["number"] = number,
        ["pull_request"] = new JsonObject
        {
            ["number"] = number,
            ["title"] = $"PR {number}",
            ["body"] = body,
            ["user"] = new JsonObject { ["login"] = author },
            ["labels"] = new JsonArray([.. labels.Select(l => (JsonNode)new JsonObject { ["name"] = l })]),
            ["merged"] = action == "closed",
            ["merged_at"] = action == "closed" ? "2026-01-02T10:00:00Z" : null,
            ["merge_commit_sha"] = action == "closed" ? new string((char)('a' + number - 4), 40) : null,
            ["head"] = new JsonObject { ["sha"] = new string('c', 40) },
            ["base"] = new JsonObject { ["ref"] = "main", ["repo"] = new JsonObject { ["full_name"] = "org/app" } },
        },
        ["repository"] = new JsonObject { ["full_name"] = "org/app" },
        ["sender"] = new JsonObject { ["login"] = author },
    }.ToJsonString();
}
