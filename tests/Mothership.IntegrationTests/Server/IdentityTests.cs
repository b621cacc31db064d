using System.Net;
using Mothership.Server.Identity;
using Mothership.Store;

namespace Mothership.IntegrationTests.Server;

/// <summary>
/// Personal API tokens through a real server with a bootstrap token: created by the admin with
/// <c>mship auth token create</c>, shown once, working as their owner (also in the audit trail),
/// refused once revoked or expired. The store plays no part: SQLite only.
/// </summary>
public sealed class IdentityTests(SharedServer shared, PostgresFixture postgres) : ServerTestBase(shared, postgres), IClassFixture<SharedServer>
{
    private const string Admin = "bootstrap-admin-token";

    protected override StoreBackend Backend => StoreBackend.Sqlite;

    protected override IEnumerable<string> ExtraArgs => ["--token", Admin];

    private static string Task(string name) => $"apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: {name}\nspec:\n  steps:\n    - name: a\n      image: x\n      script: echo\n";

    private static async Task<string> CreateTokenAsync(ServerProcess server, string owner)
    {
        var created = await server.CliAsync("auth", "token", "create", "--owner", owner, "--description", "ci", "--expires-in", "30d", "--token", Admin);
        Assert.True(created.ExitCode == 0, created.Stderr);
        Assert.Contains($"for {owner}, expires", created.Stderr, StringComparison.Ordinal);
        return created.Stdout.Trim();
    }

    [Fact(Timeout = 120000)]
    public async Task Token_CreatedByAdmin_WorksAsOwnerShownOnceRefusedAfterRevoke()
    {
        var server = await ServerAsync();
        var owner = Unique("alice");
        var token = await CreateTokenAsync(server, owner);
        Assert.StartsWith(ApiTokenText.Prefix, token, StringComparison.Ordinal);

        var whoami = await server.CliAsync("auth", "whoami", "--token", token);
        Assert.True(whoami.ExitCode == 0, whoami.Stderr);
        Assert.Contains($"name:   {owner}", whoami.Stdout, StringComparison.Ordinal);
        Assert.Contains("source: token", whoami.Stdout, StringComparison.Ordinal);
        Assert.Contains("admin:  no", whoami.Stdout, StringComparison.Ordinal);

        // The audit trail names the token's owner, not what the client claims to be.
        var task = Unique("t");
        var (status, _, text) = await SendAsync(server, HttpMethod.Post, "api/v1/apply", Task(task), actor: "mallory", token: token);
        Assert.True(status == HttpStatusCode.OK, text);
        var audit = (await GetJsonAsync(server, "api/v1/audit?limit=1000"))["items"]!.AsArray();
        Assert.Contains(audit, a => (string?)a!["name"] == task && (string?)a["actor"] == owner);

        // Shown once: no list carries the secret or its hash.
        var (_, all, allText) = await SendAsync(server, HttpMethod.Get, "api/v1/tokens", token: Admin);
        var (_, mine, mineText) = await SendAsync(server, HttpMethod.Get, "api/v1/tokens", token: token);
        Assert.DoesNotContain(token[ApiTokenText.Prefix.Length..], allText + mineText, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiTokenText.Hash(token), allText + mineText, StringComparison.Ordinal);
        var id = (string)mine!["items"]!.AsArray().Single()!["id"]!;
        Assert.Contains(all!["items"]!.AsArray(), t => (string?)t!["id"] == id && (string?)t["state"] == "active" && t["lastUsedAt"] is not null);

        var revoked = await server.CliAsync("auth", "token", "revoke", id, "--token", token);
        Assert.True(revoked.ExitCode == 0, revoked.Stderr);

        var (after, body, afterText) = await SendAsync(server, HttpMethod.Post, "api/v1/apply", Task(Unique("t")), token: token);
        Assert.True(after == HttpStatusCode.Unauthorized, afterText);
        Assert.Contains($"personal token {id} was revoked", (string?)body!["detail"], StringComparison.Ordinal);
        var cli = await server.CliAsync("auth", "whoami", "--token", token);
        Assert.Equal(2, cli.ExitCode);
        Assert.Contains("was revoked", cli.Stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120000)]
    public async Task Token_Expired_RefusedSayingSo()
    {
        var server = await ServerAsync();
        var text = ApiTokenText.New();
        var now = TimeProvider.System.GetUtcNow();
        // Written into the server's own database as if created 31 days ago for 30 days.
        await using (var store = RunStoreFactory.Open(server.Database, TimeProvider.System))
        {
            await store.CreateApiTokenAsync(new ApiToken
            {
                Id = "expired1", Owner = "bob", Hash = ApiTokenText.Hash(text), CreatedAt = now.AddDays(-31), ExpiresAt = now.AddDays(-1),
            }, Ct);
        }

        var (status, body, raw) = await SendAsync(server, HttpMethod.Post, "api/v1/apply", Task(Unique("t")), token: text);

        Assert.True(status == HttpStatusCode.Unauthorized, raw);
        Assert.Contains("personal token expired1 expired at", (string?)body!["detail"], StringComparison.Ordinal);
        var (_, list, _) = await SendAsync(server, HttpMethod.Get, "api/v1/tokens", token: Admin);
        Assert.Contains(list!["items"]!.AsArray(), t => (string?)t!["id"] == "expired1" && (string?)t["state"] == "expired");
    }

    [Fact(Timeout = 120000)]
    public async Task Tokens_WithoutAdmin_OnlyYourOwn()
    {
        var server = await ServerAsync();
        var owner = Unique("carol");
        var token = await CreateTokenAsync(server, owner);

        var forOther = await server.CliAsync("auth", "token", "create", "--owner", "dave", "--token", token);
        Assert.Equal(2, forOther.ExitCode);
        Assert.Contains("only an admin creates tokens for someone else", forOther.Stderr, StringComparison.Ordinal);

        var own = await server.CliAsync("auth", "token", "create", "--token", token);
        Assert.True(own.ExitCode == 0, own.Stderr);
        var list = await server.CliAsync("auth", "token", "list", "--token", token);
        Assert.Equal(3, list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // header and two tokens
        Assert.DoesNotContain("dave", list.Stdout, StringComparison.Ordinal);

        var anonymous = await server.CliAsync("auth", "token", "list");
        Assert.Equal(2, anonymous.ExitCode);
        Assert.Contains("personal tokens belong to an authenticated caller", anonymous.Stderr, StringComparison.Ordinal);
        var badLife = await server.CliAsync("auth", "token", "create", "--expires-in", "2y", "--token", token);
        Assert.Equal(2, badLife.ExitCode);
        Assert.Contains("expiresIn: '2y' is not a duration", badLife.Stderr, StringComparison.Ordinal);

        // github:LOGIN names a GitHub user in the access policy: not even the admin makes a token that speaks for one.
        var asGitHub = await server.CliAsync("auth", "token", "create", "--owner", "github:alice", "--token", Admin);
        Assert.Equal(2, asGitHub.ExitCode);
        Assert.Contains("which names GitHub users in the access policy", asGitHub.Stderr, StringComparison.Ordinal);
    }
}
