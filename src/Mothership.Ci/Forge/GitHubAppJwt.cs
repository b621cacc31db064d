using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Mothership.Ci.Forge;

/// <summary>
/// The JSON Web Token a GitHub App signs to speak as itself (to look up its installations and
/// mint their tokens): RS256, <c>iat</c> a minute in the past (GitHub's advice against clock
/// drift), <c>exp</c> <see cref="Lifetime"/> after it (GitHub refuses more than ten minutes),
/// <c>iss</c> the app's id.
/// </summary>
/// <remarks>
/// Written by hand rather than with a JWT library: the token is three base64url parts with fixed
/// claims and one RSA signature, which System.Security.Cryptography makes; a library would add a
/// dependency tree for a dozen lines, and Octokit has no signer.
/// </remarks>
public static class GitHubAppJwt
{
    /// <summary>How far <c>iat</c> lies before now: 60 s.</summary>
    public static readonly TimeSpan Backdate = TimeSpan.FromSeconds(60);

    /// <summary>From <c>iat</c> to <c>exp</c>: 9 minutes, within GitHub's 10 with room for a slow clock.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(9);

    private const string Header = """{"alg":"RS256","typ":"JWT"}""";

    /// <summary>A JWT for app <paramref name="appId"/> signed with <paramref name="key"/>, issued at <paramref name="now"/> less <see cref="Backdate"/>.</summary>
    public static string Create(long appId, RSA key, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(appId);
        var iat = (now - Backdate).ToUnixTimeSeconds();
        var exp = iat + (long)Lifetime.TotalSeconds;
        var payload = string.Create(CultureInfo.InvariantCulture, $$"""{"iat":{{iat}},"exp":{{exp}},"iss":"{{appId}}"}""");
        var signed = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(Header)) + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload));
        var signature = key.SignData(Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signed + "." + Base64Url.EncodeToString(signature);
    }
}
