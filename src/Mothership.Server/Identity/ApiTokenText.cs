using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Mothership.Model.Validation;

namespace Mothership.Server.Identity;

/// <summary>
/// Personal API tokens as text: <see cref="Prefix"/> then 32 random bytes in base64url, so a secret
/// scanner (and <see cref="LooksLike"/>) can tell one from other credentials; stored only as its
/// SHA-256 (<see cref="Hash"/>), since a token of 256 random bits needs no slow hash. Lifetimes:
/// <see cref="DefaultLifetime"/> unless asked, at most <see cref="MaxLifetime"/>.
/// </summary>
public static class ApiTokenText
{
    /// <summary>How every personal token starts.</summary>
    public const string Prefix = "mship_pat_";

    /// <summary>A token's life when its creator names none: 90 days.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(90);

    /// <summary>The longest life a token may have: 366 days (a year, leap or not).</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(366);

    /// <summary>Length of a token's text: the prefix and 43 base64url characters.</summary>
    public static readonly int Length = Prefix.Length + 43;

    /// <summary>A new token from the system's cryptographic random source.</summary>
    public static string New() => Prefix + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    /// <summary>A new token id (not secret): 12 random hex characters.</summary>
    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    /// <summary>Whether <paramref name="credential"/> has a personal token's shape (it may still be unknown).</summary>
    public static bool LooksLike(string credential) => credential.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>SHA-256 of the token's UTF-8 text, lower-case hex: what the store keeps and is searched by.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>
    /// A token's life as its creator writes it: <c>30d</c> (days) or a Go duration (<c>720h</c>),
    /// empty for <see cref="DefaultLifetime"/>; null with <paramref name="error"/> when it is not
    /// one, not positive, or longer than <see cref="MaxLifetime"/>.
    /// </summary>
    public static TimeSpan? ParseLifetime(string? text, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return DefaultLifetime;
        }

        TimeSpan lifetime;
        if (text.EndsWith('d') && int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days <= 100_000)
        {
            lifetime = TimeSpan.FromDays(days);
        }
        else if (!GoDuration.TryParse(text, out lifetime))
        {
            error = $"{KubernetesNames.Quote(text)} is not a duration: write days as 30d, or hours as 720h";
            return null;
        }

        if (lifetime <= TimeSpan.Zero || lifetime > MaxLifetime)
        {
            error = $"{KubernetesNames.Quote(text)} is not between 1s and {MaxLifetime.TotalDays}d (every token expires; default {DefaultLifetime.TotalDays}d)";
            return null;
        }

        return lifetime;
    }
}
