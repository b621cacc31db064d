using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Mothership.IntegrationTests.Server;

/// <summary>
/// OIDC bearer tokens through a real server: a tiny issuer in the test (discovery document and the
/// JWKS of an RSA key made here, on loopback http), tokens signed here. A valid one shows its name
/// and groups; expired, for another audience, from another issuer or badly signed ones are 401.
/// </summary>
public sealed class OidcTests : IAsyncLifetime
{
    private const string Audience = "mothership";
    private readonly RSA _key = RSA.Create(2048);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mship-oidc-");
    private WebApplication? _issuer;
    private ServerProcess? _server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Issuer { get; set; } = "";

    /// <summary>The real clock: the server checks lifetimes against it.</summary>
    private static DateTime Now => TimeProvider.System.GetUtcNow().UtcDateTime;

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _issuer = builder.Build();
        var parameters = _key.ExportParameters(false);
        _issuer.MapGet("/.well-known/openid-configuration", (HttpContext c) => Results.Text(new JsonObject
        {
            ["issuer"] = Issuer,
            ["jwks_uri"] = Issuer + "/jwks",
            ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
        }.ToJsonString(), "application/json"));
        _issuer.MapGet("/jwks", () => Results.Text(new JsonObject
        {
            ["keys"] = new JsonArray(new JsonObject
            {
                ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = "test-key",
                ["n"] = WebEncoders.Base64UrlEncode(parameters.Modulus!), ["e"] = WebEncoders.Base64UrlEncode(parameters.Exponent!),
            }),
        }.ToJsonString(), "application/json"));
        await _issuer.StartAsync(Ct);
        Issuer = _issuer.Urls.Single().TrimEnd('/');
        _server = await ServerProcess.StartAsync(_dir.FullName, extraArgs: ["--token", "bootstrap"], cancellationToken: Ct, environment: new Dictionary<string, string>
        {
            ["Mothership__Auth__Oidc__Issuer"] = Issuer,
            ["Mothership__Auth__Oidc__Audience"] = Audience,
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_issuer is not null)
        {
            await _issuer.DisposeAsync();
        }

        _key.Dispose();
        _dir.Delete(recursive: true);
    }

    private string Sign(Action<SecurityTokenDescriptor>? change = null, RSA? key = null, Dictionary<string, object>? claims = null)
    {
        var now = Now;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(10),
            Claims = claims ?? new Dictionary<string, object> { ["sub"] = "u-123", ["preferred_username"] = "erin", ["groups"] = new[] { "ops", "release" } },
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key ?? _key) { KeyId = "test-key" }, SecurityAlgorithms.RsaSha256),
        };
        change?.Invoke(descriptor);
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    private async Task<(HttpStatusCode Status, JsonNode? Body)> WhoAmIAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/whoami");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var response = await _server!.Http.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null);
    }

    [Fact(Timeout = 120000)]
    public async Task WhoAmI_ValidToken_NameGroupsAndSource()
    {
        var (status, body) = await WhoAmIAsync(Sign());

        Assert.True(status == HttpStatusCode.OK, body?.ToJsonString() + _server!.Output);
        Assert.Equal("erin", (string?)body!["name"]);
        Assert.Equal(["ops", "release"], body["groups"]!.AsArray().Select(g => (string?)g));
        Assert.Equal("oidc", (string?)body["source"]);
        Assert.False((bool)body["admin"]!);

        var cli = await _server.CliAsync("auth", "whoami", "--token", Sign(claims: new Dictionary<string, object> { ["sub"] = "u-456" }));
        Assert.True(cli.ExitCode == 0, cli.Stderr);
        Assert.Contains("name:   u-456", cli.Stdout, StringComparison.Ordinal);
        Assert.Contains("groups: -", cli.Stdout, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120000)]
    public async Task Change_ValidToken_AuditNamesTheCaller()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/apply")
        {
            Content = new StringContent("apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: oidc-task\nspec:\n  steps:\n    - name: a\n      image: x\n      script: echo\n",
                System.Text.Encoding.UTF8, "application/yaml"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Sign());
        using var response = await _server!.Http.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var audit = JsonNode.Parse(await _server.Http.GetStringAsync("api/v1/audit", Ct))!["items"]!.AsArray();
        Assert.Contains(audit, a => (string?)a!["name"] == "oidc-task" && (string?)a["actor"] == "erin");
    }

    public static TheoryData<string, string> Refused => new()
    {
        { "expired", "the OIDC token has expired" },
        { "audience", "its audience (aud) is not" },
        { "issuer", "comes from another issuer" },
        { "signature", "signature does not verify" },
        { "github", "which names GitHub users in the access policy" },
    };

    [Theory(Timeout = 120000)]
    [MemberData(nameof(Refused))]
    public async Task WhoAmI_BadToken_401SayingWhy(string flaw, string detail)
    {
        using var other = RSA.Create(2048);
        var token = flaw switch
        {
            "expired" => Sign(d => (d.IssuedAt, d.NotBefore, d.Expires) = (Now.AddHours(-2), Now.AddHours(-2), Now.AddHours(-1))),
            "audience" => Sign(d => d.Audience = "someone-else"),
            "issuer" => Sign(d => d.Issuer = "http://127.0.0.1:1/other"),
            "github" => Sign(claims: new Dictionary<string, object> { ["sub"] = "u-789", ["preferred_username"] = "github:alice" }),
            _ => Sign(key: other),
        };

        var (status, body) = await WhoAmIAsync(token);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains(detail, (string?)body!["detail"], StringComparison.Ordinal);
    }
}
