using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mothership.Ci.Forge;

namespace Mothership.Ci.Tests.Forge;

public sealed class GitHubAppJwtTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Create_AnyKey_Rs256SignedWithIatBackdatedAndExpWithinTenMinutes()
    {
        using var key = RSA.Create(2048);

        var jwt = GitHubAppJwt.Create(12345, key, Now);

        var parts = jwt.Split('.');
        Assert.Equal(3, parts.Length);
        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
        using var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        Assert.Equal("RS256", header.RootElement.GetProperty("alg").GetString());
        Assert.Equal(Now.ToUnixTimeSeconds() - 60, claims.RootElement.GetProperty("iat").GetInt64());
        var exp = claims.RootElement.GetProperty("exp").GetInt64();
        Assert.InRange(exp - Now.ToUnixTimeSeconds(), 1, 600);
        Assert.Equal("12345", claims.RootElement.GetProperty("iss").GetString());
        Assert.True(key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public void ReadPrivateKey_PemForms_RsaPrivateAndPkcs8Read_PublicAndGarbageRefused()
    {
        using var key = RSA.Create(2048);

        using var pkcs1 = GitHubAppCredentials.ReadPrivateKey(key.ExportRSAPrivateKeyPem(), out var pkcs1Error);
        using var pkcs8 = GitHubAppCredentials.ReadPrivateKey(key.ExportPkcs8PrivateKeyPem(), out _);
        var publicOnly = GitHubAppCredentials.ReadPrivateKey(key.ExportRSAPublicKeyPem(), out var publicError);
        var garbage = GitHubAppCredentials.ReadPrivateKey("not a key", out var garbageError);

        Assert.NotNull(pkcs1);
        Assert.Null(pkcs1Error);
        Assert.NotNull(pkcs8);
        Assert.Null(publicOnly);
        Assert.Equal("it holds no RSA private key (a public key, or another kind of key)", publicError);
        Assert.Null(garbage);
        Assert.Equal("no PEM-encoded RSA key in it", garbageError);
    }
}
