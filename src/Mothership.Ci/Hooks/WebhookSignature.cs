using System.Security.Cryptography;
using System.Text;

namespace Mothership.Ci.Hooks;

/// <summary>
/// GitHub's webhook signature: <c>X-Hub-Signature-256: sha256=HEX</c>, the HMAC-SHA256 of the raw
/// body under the hook's secret. Several secrets may be valid at once, so a secret can be rotated
/// without losing deliveries signed with the old one.
/// </summary>
public sealed class WebhookSignature
{
    private const string Prefix = "sha256=";

    private readonly byte[][] _secrets;

    /// <param name="secrets">The secrets any of which may have signed a delivery; at least one.</param>
    public WebhookSignature(IEnumerable<string> secrets)
    {
        _secrets = [.. secrets.Where(s => s.Length > 0).Select(Encoding.UTF8.GetBytes)];
        if (_secrets.Length == 0)
        {
            throw new ArgumentException("no webhook secret: at least one non-empty secret is needed", nameof(secrets));
        }
    }

    /// <summary>
    /// The secrets of a secret file: one a line (several lines for a rotation), blank lines and
    /// surrounding white space ignored.
    /// </summary>
    public static IReadOnlyList<string> ReadSecrets(string text) =>
        [.. text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)];

    /// <summary>The header value GitHub sends for <paramref name="body"/> signed with <paramref name="secret"/>.</summary>
    public static string Sign(string secret, ReadOnlySpan<byte> body) =>
        Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>
    /// Whether <paramref name="header"/> is a valid signature of <paramref name="body"/> under one
    /// of the secrets. Every secret is tried with a constant-time comparison, so neither the
    /// position of a difference nor which secret matched shows in the time taken.
    /// </summary>
    public bool Verify(string? header, ReadOnlySpan<byte> body)
    {
        if (header is null || !header.StartsWith(Prefix, StringComparison.Ordinal) || header.Length != Prefix.Length + 64)
        {
            return false;
        }

        Span<byte> given = stackalloc byte[32];
        if (Convert.FromHexString(header.AsSpan(Prefix.Length), given, out _, out var written) != System.Buffers.OperationStatus.Done || written != 32)
        {
            return false;
        }

        var valid = false;
        Span<byte> expected = stackalloc byte[32];
        foreach (var secret in _secrets)
        {
            HMACSHA256.HashData(secret, body, expected);
            valid |= CryptographicOperations.FixedTimeEquals(expected, given);
        }

        return valid;
    }
}
