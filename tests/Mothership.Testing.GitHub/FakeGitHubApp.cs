using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Mothership.Testing.GitHub;

/// <summary>
/// A GitHub App the fake knows: its id, the public half of its key (JWTs it signs are checked
/// against it), where it is installed, and the installation tokens it minted. With
/// <see cref="FakeGitHubOptions.App"/> set, the fake authenticates as GitHub does for an app:
/// <c>/app/…</c> and the installation lookups take only the app's JWT (RS256, <c>iss</c> its id,
/// <c>exp</c> in the future and at most ten minutes away); every other request takes only an
/// unexpired installation token, for its own account's repositories and organisation.
/// </summary>
public sealed class FakeGitHubApp
{
    private readonly RSA _publicKey;
    private readonly Dictionary<string, long> _installations = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<FakeInstallationToken> _tokens = [];
    private readonly Lock _gate = new();
    private long _nextInstallation = 40_000;

    /// <summary>An app with id <paramref name="appId"/> whose JWTs verify with <paramref name="key"/> (only its public half is kept).</summary>
    public FakeGitHubApp(long appId, RSA key)
    {
        ArgumentNullException.ThrowIfNull(key);
        AppId = appId;
        _publicKey = RSA.Create();
        _publicKey.ImportRSAPublicKey(key.ExportRSAPublicKey(), out _);
    }

    public long AppId { get; }

    /// <summary>The app's slug (<c>app.slug</c> of its check runs). Default <c>mothership</c>.</summary>
    public string Slug { get; set; } = "mothership";

    /// <summary>How long a minted installation token lives. Default one hour, as GitHub's.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Every installation token minted, oldest first.</summary>
    public IReadOnlyList<FakeInstallationToken> Tokens
    {
        get
        {
            lock (_gate)
            {
                return [.. _tokens];
            }
        }
    }

    /// <summary>Installs the app on a user's or organisation's account (all its repositories); returns the installation's id.</summary>
    public long Install(string account)
    {
        ArgumentException.ThrowIfNullOrEmpty(account);
        lock (_gate)
        {
            if (!_installations.TryGetValue(account, out var id))
            {
                _installations[account] = id = ++_nextInstallation;
            }

            return id;
        }
    }

    /// <summary>The installation on <paramref name="account"/>, or null.</summary>
    internal long? InstallationOf(string account)
    {
        lock (_gate)
        {
            return _installations.TryGetValue(account, out var id) ? id : null;
        }
    }

    /// <summary>The account of installation <paramref name="id"/>, or null.</summary>
    internal string? AccountOf(long id)
    {
        lock (_gate)
        {
            return _installations.FirstOrDefault(i => i.Value == id).Key;
        }
    }

    internal FakeInstallationToken Mint(long installationId, DateTimeOffset now)
    {
        var token = new FakeInstallationToken("ghs_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(18)).ToLowerInvariant(), installationId, now + TokenLifetime);
        lock (_gate)
        {
            _tokens.Add(token);
        }

        return token;
    }

    /// <summary>The installation token <paramref name="token"/>, when the app minted it and it has not expired at <paramref name="now"/>.</summary>
    internal FakeInstallationToken? ValidToken(string token, DateTimeOffset now)
    {
        lock (_gate)
        {
            return _tokens.FirstOrDefault(t => t.Token == token && t.ExpiresAt > now);
        }
    }

    /// <summary>Why <paramref name="jwt"/> is not this app's valid JWT at <paramref name="now"/> (GitHub's messages); null when it is.</summary>
    internal string? JwtProblem(string jwt, DateTimeOffset now)
    {
        const string Undecodable = "A JSON web token could not be decoded";
        var parts = jwt.Split('.');
        if (parts.Length != 3)
        {
            return Undecodable;
        }

        try
        {
            using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            if (!header.RootElement.TryGetProperty("alg", out var alg) || alg.GetString() != "RS256"
                || !_publicKey.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
            {
                return Undecodable;
            }

            var claims = payload.RootElement;
            var iss = claims.TryGetProperty("iss", out var i) ? (i.ValueKind == JsonValueKind.Number ? i.GetRawText() : i.GetString()) : null;
            if (iss != AppId.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                return "'Issuer' claim ('iss') must be an Integer";
            }

            if (!claims.TryGetProperty("iat", out var iat) || iat.ValueKind != JsonValueKind.Number || iat.GetInt64() > now.ToUnixTimeSeconds() + 60)
            {
                return "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued";
            }

            if (!claims.TryGetProperty("exp", out var exp) || exp.ValueKind != JsonValueKind.Number || exp.GetInt64() <= now.ToUnixTimeSeconds())
            {
                return "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires";
            }

            if (exp.GetInt64() > now.ToUnixTimeSeconds() + 600 || exp.GetInt64() - iat.GetInt64() > 600)
            {
                return "'Expiration time' claim ('exp') is too far in the future";
            }

            return null;
        }
        catch (Exception e) when (e is JsonException or FormatException or CryptographicException or InvalidOperationException)
        {
            return Undecodable;
        }
    }
}
