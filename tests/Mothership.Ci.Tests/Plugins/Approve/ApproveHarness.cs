using System.Text.Json.Nodes;
using Mothership.Ci.Owners;
using Mothership.Ci.Plugins;
using Mothership.Ci.Plugins.Approve;
using Mothership.Ci.Tests.Triggers;
using Mothership.Store;
using Mothership.Testing.GitHub;

namespace Mothership.Ci.Tests.Plugins.Approve;

/// <summary>
/// The approve plugin behind the plugin dispatcher on the fake GitHub: OWNERS files at the base
/// commit, people commenting and reviewing (recorded in the fake, where the plugin re-reads them,
/// and delivered as GitHub's payloads).
/// </summary>
internal sealed class ApproveHarness : IAsyncDisposable
{
    public const string BaseSha = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    private readonly Dictionary<string, long> _reviews = [];

    private ApproveHarness(TriggerHarness h)
    {
        H = h;
        Owners = new OwnersReader(h.Forge);
        Plugin = new ApprovePlugin(h.Forge, Owners);
        Plugins = new ReviewPlugins(h.Config, [Plugin]);
    }

    public TriggerHarness H { get; }

    public OwnersReader Owners { get; }

    public ApprovePlugin Plugin { get; }

    public ReviewPlugins Plugins { get; }

    public FakeRepository Repository => H.Repository;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A harness whose base branch holds <paramref name="files"/> (path → text); <paramref name="approve"/> is plugins.yaml's approve section.</summary>
    public static async Task<ApproveHarness> StartAsync(IReadOnlyDictionary<string, string> files, string? approve = null)
    {
        var h = await TriggerHarness.StartAsync("presubmits: {}", $"""
            plugins:
              Codertocat/Hello-World: [approve]
            {approve}
            """);
        h.Repository.SetBranch("main", BaseSha);
        foreach (var (path, text) in files)
        {
            h.Repository.SetFile(BaseSha, path, text);
        }

        return new ApproveHarness(h);
    }

    public FakeIssue Open(string author, params string[] files) =>
        Repository.AddPullRequest(author, new string('a', 40), baseSha: BaseSha, files: files.Select(f => new FakePullRequestFile(f)));

    /// <summary>The pull request opened: GitHub's payload, handled.</summary>
    public Task<string> OpenedAsync(FakeIssue pr) => HandleAsync(WithPage(H.PullRequest("opened", pr), pr));

    /// <summary><paramref name="user"/> comments <paramref name="body"/>.</summary>
    public Task<string> CommentAsync(FakeIssue pr, string user, string body)
    {
        H.Time.Advance(TimeSpan.FromMinutes(1));
        Repository.AddComment(pr.Number, user, body);
        return HandleAsync(WithPage(H.Comment(pr, user, body), pr));
    }

    /// <summary><paramref name="user"/> submits a review in GitHub's <paramref name="state"/> (<c>APPROVED</c>…).</summary>
    public Task<string> ReviewAsync(FakeIssue pr, string user, string state, string body = "")
    {
        H.Time.Advance(TimeSpan.FromMinutes(1));
        _reviews[user] = Repository.AddReview(pr.Number, user, state, body).Id;
        return HandleAsync(WithPage(H.Review(pr, user, state.ToLowerInvariant(), body), pr));
    }

    /// <summary>A maintainer dismisses <paramref name="user"/>'s last review.</summary>
    public Task<string> DismissAsync(FakeIssue pr, string user)
    {
        H.Time.Advance(TimeSpan.FromMinutes(1));
        var review = Repository.DismissReview(_reviews[user]);
        return HandleAsync(WithPage(H.Review(pr, user, "dismissed", review.Body, action: "dismissed"), pr));
    }

    /// <summary>A push: the pull request's head moves and it changes <paramref name="files"/> now.</summary>
    public Task<string> PushAsync(FakeIssue pr, params string[] files)
    {
        H.Time.Advance(TimeSpan.FromMinutes(1));
        pr.HeadSha = new string('c', 40);
        pr.Files.Clear();
        pr.Files.AddRange(files.Select(f => new FakePullRequestFile(f)));
        return HandleAsync(WithPage(H.PullRequest("synchronize", pr), pr));
    }

    /// <summary>The delivery handled last.</summary>
    public WebhookDelivery? LastDelivery { get; private set; }

    public Task<string> HandleAsync(WebhookDelivery delivery)
    {
        LastDelivery = delivery;
        return Plugins.HandleAsync(delivery, Ct);
    }

    /// <summary>The notifier comment(s) on the pull request.</summary>
    public IReadOnlyList<FakeComment> Notifiers(FakeIssue pr) =>
        [.. Repository.CommentsOn(pr.Number).Where(c => c.Body.StartsWith("[APPROVALNOTIFIER]", StringComparison.Ordinal))];

    public string Notifier(FakeIssue pr) => Assert.Single(Notifiers(pr)).Body;

    public bool Approved(FakeIssue pr) => Repository.LabelsOn(pr.Number).Contains(ApprovePlugin.Label);

    /// <summary>The pull request's page in the payload as GitHub would give it (the fixtures' is another number's).</summary>
    public static string Page(FakeIssue pr) => $"https://github.com/{TriggerHarness.FullName}/pull/{pr.Number}";

    private static WebhookDelivery WithPage(WebhookDelivery delivery, FakeIssue pr)
    {
        var root = JsonNode.Parse(delivery.Payload)!;
        var item = root["pull_request"] ?? root["issue"]!;
        item["html_url"] = Page(pr);
        item["assignees"] = new JsonArray();
        item["body"] = pr.Body ?? "";
        return delivery with { Payload = root.ToJsonString() };
    }

    public ValueTask DisposeAsync() => H.DisposeAsync();
}
