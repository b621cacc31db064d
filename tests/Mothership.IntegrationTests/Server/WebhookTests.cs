using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Mothership.Ci.Hooks;
using Mothership.Testing;
using Mothership.Testing.GitHub;

namespace Mothership.IntegrationTests.Server;

/// <summary>
/// <c>POST /hook</c> on a real <c>mship server</c>, with GitHub's real payloads signed as GitHub
/// signs them: refused without the signature, stored before the answer, handled once even when
/// the server is killed right after answering.
/// </summary>
public sealed class WebhookTests : IAsyncLifetime
{
    private const string Secret = "s3cret-for-hooks";

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mship-webhook-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string SecretFile => Path.Combine(_dir.FullName, "webhook-secret");

    public async ValueTask InitializeAsync() => await File.WriteAllTextAsync(SecretFile, "old-secret\n" + Secret + "\n", Ct);

    public ValueTask DisposeAsync()
    {
        _dir.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }

    private Task<ServerProcess> StartAsync(params string[] args) =>
        ServerProcess.StartAsync(_dir.FullName, extraArgs: args, cancellationToken: Ct,
            environment: new Dictionary<string, string> { ["Mothership__GitHub__WebhookSecretFile"] = SecretFile });

    private static byte[] Payload(string eventName, string file) =>
        File.ReadAllBytes(Path.Combine(Fixtures.GitHubWebhooks(), eventName, file));

    /// <summary>A delivery as GitHub sends it: JSON, its event and id, signed (or not).</summary>
    private static async Task<(HttpStatusCode Status, string Body)> PostAsync(ServerProcess server, byte[] body, string eventName, string delivery, string? signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "hook") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.UserAgent.ParseAdd("GitHub-Hookshot/044aadd");
        request.Headers.Add("X-GitHub-Event", eventName);
        request.Headers.Add("X-GitHub-Delivery", delivery);
        request.Headers.Add("X-GitHub-Hook-ID", "292430182");
        if (signature is not null)
        {
            request.Headers.Add("X-Hub-Signature-256", signature);
        }

        using var response = await server.Http.SendAsync(request, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    private static async Task<JsonObject?> DeliveryAsync(ServerProcess server, string id)
    {
        var list = await server.Http.GetFromJsonAsync<JsonObject>("api/v1/deliveries", Ct);
        return list!["items"]!.AsArray().OfType<JsonObject>().SingleOrDefault(d => (string?)d["id"] == id);
    }

    private static async Task<JsonObject> HandledAsync(ServerProcess server, string id, int seconds = 30)
    {
        for (var i = 0; i < seconds * 10; i++)
        {
            if (await DeliveryAsync(server, id) is { } d && d["handledAt"] is not null)
            {
                return d;
            }

            await Task.Delay(100, Ct);
        }

        throw new TimeoutException($"delivery {id} not handled in {seconds} s:\n{server.Output}");
    }

    [Fact(Timeout = 120_000)]
    public async Task Hook_SignedDelivery_StoredAnsweredAndHandledOnce()
    {
        await using var server = await StartAsync("--token", "api-token");
        var body = Payload("pull_request", "opened.payload.json");

        // No bearer token: the signature is the hook's credential.
        var first = await PostAsync(server, body, "pull_request", "72d3162e-cc78-11e3-81ab-4c9367dc0958", WebhookSignature.Sign(Secret, body));
        var again = await PostAsync(server, body, "pull_request", "72d3162e-cc78-11e3-81ab-4c9367dc0958", WebhookSignature.Sign(Secret, body));

        Assert.Equal((HttpStatusCode.OK, "Event received. Have a nice day.\n"), first);
        Assert.Equal((HttpStatusCode.OK, "delivery 72d3162e-cc78-11e3-81ab-4c9367dc0958 was received before: nothing new to do\n"), again);
        var handled = await HandledAsync(server, "72d3162e-cc78-11e3-81ab-4c9367dc0958");
        Assert.Equal(1, (int)handled["attempts"]!);
        Assert.Equal("292430182", (string?)handled["hookId"]);
        Assert.Equal("ok: pull_request opened Codertocat/Hello-World#2 by Codertocat; no job configuration, nothing started", (string?)handled["outcome"]);

        // The pull request is recorded for release notes, and served read-only (a GET needs no token).
        var pr = await server.Http.GetFromJsonAsync<JsonObject>("api/v1/pullrequests/Codertocat/Hello-World/2", Ct);
        Assert.Equal(("Codertocat", "Update the README with new information.", "This is a pretty simple change that we need to pull into master."),
            ((string?)pr!["author"], (string?)pr["title"], (string?)pr["body"]));
        using var none = await server.Http.GetAsync("api/v1/pullrequests/Codertocat/Hello-World/3", Ct);
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
    }

    [Fact(Timeout = 120_000)]
    public async Task Hook_ForgedOrMissingSignature_401ProblemAndNothingStored()
    {
        await using var server = await StartAsync();
        var body = Payload("push", "payload.json");

        var forged = await PostAsync(server, body, "push", "forged", WebhookSignature.Sign("guessed", body));
        var missing = await PostAsync(server, body, "push", "missing", null);

        Assert.Equal(HttpStatusCode.Unauthorized, forged.Status);
        Assert.Equal("invalid X-Hub-Signature-256: the body was not signed with this server's webhook secret", (string?)JsonNode.Parse(forged.Body)!["detail"]);
        Assert.Equal(HttpStatusCode.Unauthorized, missing.Status);
        Assert.Empty((await server.Http.GetFromJsonAsync<JsonObject>("api/v1/deliveries", Ct))!["items"]!.AsArray());
    }

    [Fact(Timeout = 300_000)]
    public async Task Hook_ServerKilledRightAfterAnswering_DeliveryHandledOnceAfterRestart()
    {
        var server = await StartAsync();
        await using (server)
        {
            var body = Payload("issue_comment", "created.payload.json");

            var answer = await PostAsync(server, body, "issue_comment", "kill-after-answer", WebhookSignature.Sign(Secret, body));
            await server.KillAsync();

            Assert.Equal(HttpStatusCode.OK, answer.Status);
            await server.StartAgainAsync(Ct);
            // Killed while it was handled, the delivery waits for the dead server's lease to end.
            var handled = await HandledAsync(server, "kill-after-answer", seconds: (int)DeliveryProcessor.Lease.TotalSeconds + 60);
            Assert.StartsWith("ok: issue_comment created ", (string?)handled["outcome"], StringComparison.Ordinal);
            // Handled before the kill (1), after the restart (1), or taken up once more when the kill
            // fell between taking it up and recording the outcome (2): finished exactly once.
            Assert.InRange((int)handled["attempts"]!, 1, 2);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Hook_ServerWithoutSecret_404Problem()
    {
        await using var server = await ServerProcess.StartAsync(_dir.FullName, cancellationToken: Ct);
        var body = Payload("push", "payload.json");

        var answer = await PostAsync(server, body, "push", "d", WebhookSignature.Sign(Secret, body));

        Assert.Equal(HttpStatusCode.NotFound, answer.Status);
        Assert.Contains("Mothership__GitHub__WebhookSecretFile", answer.Body, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Server_SecretFileWithoutSecret_RefusesToStartNamingTheSetting()
    {
        await File.WriteAllTextAsync(SecretFile, "\n  \n", Ct);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync());

        Assert.Contains($"GitHub:WebhookSecretFile: '{SecretFile}' holds no secret (one a line)", e.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Server_WatchedHook_MissedDeliveryRedeliveredThroughGitHub()
    {
        await using var github = await FakeGitHub.StartAsync(new FakeGitHubOptions { Token = "bot-token" }, Ct);
        var repo = github.AddRepository("octo", "app");
        var hookId = repo.AddHook();
        var missed = repo.AddDelivery(hookId, "pull_request", "opened", statusCode: 502);
        repo.AddDelivery(hookId, "push", statusCode: 200);
        var tokenFile = Path.Combine(_dir.FullName, "token");
        await File.WriteAllTextAsync(tokenFile, "bot-token\n", Ct);

        await using var server = await ServerProcess.StartAsync(_dir.FullName, cancellationToken: Ct, environment: new Dictionary<string, string>
        {
            ["Mothership__GitHub__WebhookSecretFile"] = SecretFile,
            ["Mothership__GitHub__TokenFile"] = tokenFile,
            ["Mothership__GitHub__ApiUrl"] = github.BaseUri.ToString(),
            ["Mothership__GitHub__Hooks__0"] = $"octo/app:{hookId}",
        });

        for (var i = 0; i < 300 && !repo.Deliveries(hookId).Any(d => d.Redelivery); i++)
        {
            await Task.Delay(100, Ct);
        }

        var redelivered = Assert.Single(repo.Deliveries(hookId), d => d.Redelivery);
        Assert.Equal(missed.Guid, redelivered.Guid);
        Assert.Empty(github.Errors);

        // The quota GitHub reported on its last answer, on /metrics.
        var metrics = await server.Http.GetStringAsync("metrics", Ct);
        Assert.Contains($"mothership_github_ratelimit{{kind=\"remaining\"}} {github.RateLimitRemaining}", metrics, StringComparison.Ordinal);
        Assert.Contains("mothership_github_ratelimit{kind=\"limit\"} ", metrics, StringComparison.Ordinal);
        Assert.Contains($"mothership_github_ratelimit_reset_seconds {github.RateLimitReset.ToUnixTimeSeconds()}", metrics, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Server_AsGitHubApp_WatchedHookRedeliveredWithTheInstallationsToken()
    {
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var app = new FakeGitHubApp(31337, key);
        var installation = app.Install("octo");
        await using var github = await FakeGitHub.StartAsync(new FakeGitHubOptions { App = app }, Ct);
        var repo = github.AddRepository("octo", "app");
        var hookId = repo.AddHook();
        var missed = repo.AddDelivery(hookId, "pull_request", "opened", statusCode: 502);
        var keyFile = Path.Combine(_dir.FullName, "app.pem");
        await File.WriteAllTextAsync(keyFile, key.ExportRSAPrivateKeyPem(), Ct);

        await using var server = await ServerProcess.StartAsync(_dir.FullName, cancellationToken: Ct, environment: new Dictionary<string, string>
        {
            ["Mothership__GitHub__WebhookSecretFile"] = SecretFile,
            ["Mothership__GitHub__AppId"] = "31337",
            ["Mothership__GitHub__PrivateKeyFile"] = keyFile,
            ["Mothership__GitHub__ApiUrl"] = github.BaseUri.ToString(),
            ["Mothership__GitHub__Hooks__0"] = $"octo/app:{hookId}",
        });

        for (var i = 0; i < 300 && !repo.Deliveries(hookId).Any(d => d.Redelivery); i++)
        {
            await Task.Delay(100, Ct);
        }

        Assert.Equal(missed.Guid, Assert.Single(repo.Deliveries(hookId), d => d.Redelivery).Guid);
        var token = Assert.Single(app.Tokens);
        Assert.Equal(installation, token.InstallationId);
        Assert.Equal("token " + token.Token, github.Requests.Last(r => r.Path.EndsWith("/attempts", StringComparison.Ordinal)).Authorization, ignoreCase: true);
        Assert.Empty(github.Errors);
    }

    [Fact(Timeout = 60_000)]
    public async Task Server_TokenAndGitHubAppBoth_RefusesToStartNamingThem()
    {
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var keyFile = Path.Combine(_dir.FullName, "app.pem");
        var tokenFile = Path.Combine(_dir.FullName, "token");
        await File.WriteAllTextAsync(keyFile, key.ExportRSAPrivateKeyPem(), Ct);
        await File.WriteAllTextAsync(tokenFile, "t\n", Ct);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => ServerProcess.StartAsync(_dir.FullName, cancellationToken: Ct,
            environment: new Dictionary<string, string>
            {
                ["Mothership__GitHub__TokenFile"] = tokenFile, ["Mothership__GitHub__AppId"] = "12", ["Mothership__GitHub__PrivateKeyFile"] = keyFile,
            }));

        Assert.Contains("GitHub:AppId: the bot speaks either with a token or as a GitHub App: set GitHub:TokenFile, or GitHub:AppId and GitHub:PrivateKeyFile, not both",
            e.Message, StringComparison.Ordinal);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("Mothership__GitHub__Hooks__0", "octo/app", "GitHub:Hooks: 'octo/app' is neither OWNER/REPO:HOOK-ID nor ORG:HOOK-ID")]
    [InlineData("Mothership__GitHub__Hooks__0", "octo/app:12", "GitHub:Hooks: recovering a hook's missed deliveries asks GitHub for them: set GitHub:TokenFile (or GitHub:AppId and GitHub:PrivateKeyFile) too")]
    [InlineData("Mothership__GitHub__AppId", "12", "GitHub:PrivateKeyFile: a GitHub App signs its requests with its private key: set GitHub:PrivateKeyFile to the PEM file GitHub generated for it")]
    [InlineData("Mothership__GitHub__PrivateKeyFile", "/nonexistent/app.pem", "GitHub:AppId: a GitHub App's private key is set (GitHub:PrivateKeyFile) but not its App ID")]
    [InlineData("Mothership__GitHub__ApiUrl", "ftp://x", "GitHub:ApiUrl: 'ftp://x' is not an http(s) URL")]
    [InlineData("Mothership__GitHub__TokenFile", "/nonexistent/token", "GitHub:TokenFile: no token in '/nonexistent/token'")]
    public async Task Server_BadGitHubSetting_RefusesToStartNamingIt(string key, string value, string message)
    {
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => ServerProcess.StartAsync(_dir.FullName, cancellationToken: Ct,
            environment: new Dictionary<string, string> { [key] = value }));

        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}
