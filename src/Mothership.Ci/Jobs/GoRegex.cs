using System.Text.RegularExpressions;

namespace Mothership.Ci.Jobs;

/// <summary>
/// Compiles the regular expressions Prow's config holds (Go's RE2 syntax) as .NET regexes with
/// RE2's guarantees: <see cref="RegexOptions.NonBacktracking"/> matches in linear time, as RE2
/// does, and rejects what RE2 lacks too (backreferences, lookarounds, atomic groups), so a
/// config that Prow refuses is refused here and a hostile comment cannot stall a match.
/// </summary>
internal static class GoRegex
{
    private const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    /// <summary>The compiled regex, or null with <paramref name="error"/> saying what is wrong.</summary>
    public static Regex? TryCompile(string pattern, out string? error)
    {
        try
        {
            error = null;

            // Go names a group (?P<name>…); .NET spells it (?<name>…).
            return new Regex(pattern.Replace("(?P<", "(?<", StringComparison.Ordinal), Options);
        }
        catch (ArgumentException e)
        {
            error = e.Message;
            return null;
        }
        catch (NotSupportedException e)
        {
            // NonBacktracking's refusal of a backtracking-only construct, which RE2 lacks as well.
            error = e.Message;
            return null;
        }
    }

    /// <summary>A regex known to be valid (built by this code, not read from a file).</summary>
    public static Regex Compile(string pattern) =>
        TryCompile(pattern, out var error) ?? throw new InvalidOperationException($"invalid built-in regex {pattern}: {error}");
}
