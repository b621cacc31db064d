using System.Text.RegularExpressions;

namespace Mothership.Cloud.Values;

/// <summary>
/// Which values keys hold secrets: a key naming a password, secret, token, cookie, credential or
/// private key (any case, anywhere in the key). The deploy pipeline's logs mask the values under
/// them (<see cref="Deploy.DeployScripts.Diff"/> puts <see cref="Pattern"/> in its <c>sed</c>) and
/// drift reports do too: one rule for both.
/// </summary>
public static partial class SecretValueKeys
{
    /// <summary>The words, as an extended regular expression both .NET and <c>sed -E</c> read (matched ignoring case).</summary>
    public const string Pattern = "password|passwd|secret|token|private_key|cookie|credential";

    /// <summary>What is shown instead of a masked value.</summary>
    public const string Mask = "********";

    public static bool IsSecret(string key) => Secret().IsMatch(key);

    [GeneratedRegex(Pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Secret();
}
