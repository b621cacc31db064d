using System.Text;
using Microsoft.Extensions.Time.Testing;
using Mothership.Ci.Hooks;
using Mothership.Store;

namespace Mothership.Ci.Tests.Hooks;

/// <summary>
/// The hook's intake on a real SQLite store, with GitHub's real payloads
/// (../shared/fixtures/github-webhooks) signed as GitHub signs them.
/// </summary>
public sealed class WebhookIntakeTests : IAsyncLifetime
{
    private const string Secret = "hook-secret";

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mship-intake-");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));
    private IRunStore _store = null!;
    private WebhookIntake _intake = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _store = RunStoreFactory.Open("sqlite:" + Path.Combine(_dir.FullName, "store.db"), _time);
        await _store.MigrateAsync(Ct);
        _intake = new WebhookIntake(new WebhookSignature(["old-secret", Secret]), _store, _time);
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        _dir.Delete(recursive: true);
    }

    private static byte[] Payload(string eventName, string file) =>
        File.ReadAllBytes(Path.Combine(Fixtures.GitHubWebhooks(), eventName, file));

    private Task<IntakeAnswer> PostAsync(byte[] body, string? signature, string? eventName = "pull_request", string? delivery = "d-1") =>
        _intake.ReceiveAsync(signature, eventName, delivery, "4711", body, Ct);

    public static TheoryData<string, string> Payloads()
    {
        var data = new TheoryData<string, string>();
        foreach (var dir in new[] { "pull_request", "push", "issue_comment", "pull_request_review", "check_run", "check_suite", "status", "label", "issues", "create" })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(Fixtures.GitHubWebhooks(), dir), "*.json").Order(StringComparer.Ordinal))
            {
                data.Add(dir, Path.GetFileName(file));
            }
        }

        return data;
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Payloads))]
    public async Task ReceiveAsync_GitHubsPayloadSigned_StoredAsReceivedAndReadable(string eventName, string file)
    {
        var body = Payload(eventName, file);

        var answer = await PostAsync(body, WebhookSignature.Sign(Secret, body), eventName, delivery: "d-" + file);

        Assert.Equal(new IntakeAnswer(200, "Event received. Have a nice day.", Stored: true), answer);
        var stored = await _store.GetDeliveryAsync("d-" + file, Ct);
        Assert.NotNull(stored);
        Assert.Equal((eventName, Encoding.UTF8.GetString(body), "4711"), (stored.Event, stored.Payload, stored.HookId));
        var read = GitHubEvent.Read(stored);
        Assert.Equal(eventName, read.Event);
        Assert.NotNull(read.Sender);
    }

    [Fact(Timeout = 30_000)]
    public async Task ReceiveAsync_PullRequestOpened_ItsFieldsRead()
    {
        var body = Payload("pull_request", "opened.payload.json");
        await PostAsync(body, WebhookSignature.Sign(Secret, body));

        var read = GitHubEvent.Read((await _store.GetDeliveryAsync("d-1", Ct))!);

        Assert.Equal(new GitHubEvent("pull_request", "opened", "Codertocat/Hello-World", 2, "Codertocat", null, "ec26c3e57ca3a959ca5aad62de7213c562f8c821"), read);
        Assert.Equal("pull_request opened Codertocat/Hello-World#2 by Codertocat", read.ToString());
    }

    [Fact(Timeout = 30_000)]
    public async Task ReceiveAsync_SignedWithTheRotatedOutSecret_StillAccepted()
    {
        var body = Payload("push", "payload.json");

        Assert.True((await PostAsync(body, WebhookSignature.Sign("old-secret", body), "push")).Stored);
    }

    [Theory(Timeout = 30_000)]
    [InlineData(null)]
    [InlineData("sha256=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("sha1=e3b0c44298fc1c149afbf4c8996fb92427ae41e4")]
    public async Task ReceiveAsync_MissingOrForgedSignature_401AndNothingStored(string? signature)
    {
        var answer = await PostAsync(Payload("pull_request", "opened.payload.json"), signature);

        Assert.Equal(401, answer.Status);
        Assert.False(answer.Stored);
        Assert.Empty(await _store.ListDeliveriesAsync(10, Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task ReceiveAsync_SignatureOfAnotherBody_401()
    {
        var body = Payload("pull_request", "opened.payload.json");
        var other = Payload("pull_request", "closed.payload.json");

        Assert.Equal(401, (await PostAsync(body, WebhookSignature.Sign(Secret, other))).Status);
    }

    [Fact(Timeout = 30_000)]
    public async Task ReceiveAsync_SameDeliveryTwice_StoredOnce()
    {
        var body = Payload("pull_request", "opened.payload.json");

        var first = await PostAsync(body, WebhookSignature.Sign(Secret, body));
        var second = await PostAsync(body, WebhookSignature.Sign(Secret, body));

        Assert.True(first.Stored);
        Assert.Equal(new IntakeAnswer(200, "delivery d-1 was received before: nothing new to do"), second);
        Assert.Single(await _store.ListDeliveriesAsync(10, Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task ReceiveAsync_PingAndUnknownEvents_200NothingStored()
    {
        var body = Encoding.UTF8.GetBytes("""{"zen":"Keep it logically awesome.","hook_id":4711}""");

        Assert.Equal(new IntakeAnswer(200, "pong"), await PostAsync(body, WebhookSignature.Sign(Secret, body), "ping"));
        Assert.Equal(new IntakeAnswer(200, "event 'star' ignored: the bot does not act on it"), await PostAsync(body, WebhookSignature.Sign(Secret, body), "star"));
        Assert.Empty(await _store.ListDeliveriesAsync(10, Ct));
    }

    [Theory(Timeout = 30_000)]
    [InlineData("payload=%7B%7D")]
    [InlineData("[1,2]")]
    [InlineData("{\"action\": ")]
    public async Task ReceiveAsync_BodyNotAJsonObject_400(string text)
    {
        var body = Encoding.UTF8.GetBytes(text);

        var answer = await PostAsync(body, WebhookSignature.Sign(Secret, body));

        Assert.Equal(400, answer.Status);
        Assert.Contains("application/json", answer.Message, StringComparison.Ordinal);
        Assert.Empty(await _store.ListDeliveriesAsync(10, Ct));
    }

    [Fact(Timeout = 30_000)]
    public async Task ReceiveAsync_NestedBeyondAnyPayload_400()
    {
        var body = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":", 100)) + "1" + new string('}', 100));

        Assert.Equal(400, (await PostAsync(body, WebhookSignature.Sign(Secret, body))).Status);
    }

    [Theory(Timeout = 30_000)]
    [InlineData(null, "d-1", "missing X-GitHub-Event header")]
    [InlineData("push", null, "missing or overlong X-GitHub-Delivery header")]
    [InlineData("push", "", "missing or overlong X-GitHub-Delivery header")]
    public async Task ReceiveAsync_HeaderMissing_400(string? eventName, string? delivery, string message)
    {
        var body = Payload("push", "payload.json");

        Assert.Equal(new IntakeAnswer(400, message), await PostAsync(body, WebhookSignature.Sign(Secret, body), eventName, delivery));
    }

    [Theory(Timeout = 30_000)]
    [InlineData("../../etc")]
    [InlineData("12\u001b[31m")]
    [InlineData("123456789012345678901")]
    public async Task ReceiveAsync_HookIdNotAnId_DeliveryStoredWithoutIt(string hook)
    {
        var body = Payload("push", "payload.json");

        await _intake.ReceiveAsync(WebhookSignature.Sign(Secret, body), "push", "d-hook", hook, body, Ct);

        Assert.Null((await _store.GetDeliveryAsync("d-hook", Ct))!.HookId);
    }
}
