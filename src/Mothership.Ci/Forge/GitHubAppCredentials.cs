using System.Security.Cryptography;

namespace Mothership.Ci.Forge;

/// <summary>A GitHub App's identity: its id and the RSA private key it signs its JWTs with.</summary>
public sealed class GitHubAppCredentials : IDisposable
{
    /// <summary>An app's credentials; the key is owned (and disposed) by them.</summary>
    public GitHubAppCredentials(long appId, RSA privateKey)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(appId);
        ArgumentNullException.ThrowIfNull(privateKey);
        AppId = appId;
        PrivateKey = privateKey;
    }

    /// <summary>The app's id (GitHub's "App ID").</summary>
    public long AppId { get; }

    /// <summary>Its private key.</summary>
    public RSA PrivateKey { get; }

    /// <summary>
    /// Reads an RSA private key in PEM (<c>BEGIN RSA PRIVATE KEY</c>, as GitHub downloads it, or
    /// PKCS#8 <c>BEGIN PRIVATE KEY</c>); null, with the reason, when <paramref name="pem"/> holds none.
    /// </summary>
    public static RSA? ReadPrivateKey(string pem, out string? error)
    {
        ArgumentNullException.ThrowIfNull(pem);
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            // A public key imports too, but cannot sign.
            rsa.ExportParameters(includePrivateParameters: true);
            error = null;
            return rsa;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            rsa.Dispose();
            error = e is ArgumentException ? "no PEM-encoded RSA key in it" : "it holds no RSA private key (a public key, or another kind of key)";
            return null;
        }
    }

    /// <summary>A JWT for this app (see <see cref="GitHubAppJwt"/>).</summary>
    public string CreateJwt(DateTimeOffset now) => GitHubAppJwt.Create(AppId, PrivateKey, now);

    public void Dispose() => PrivateKey.Dispose();
}
