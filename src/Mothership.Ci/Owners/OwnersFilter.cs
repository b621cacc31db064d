using System.Text.RegularExpressions;

namespace Mothership.Ci.Owners;

/// <summary>
/// An entry of an <c>OWNERS</c> file's <c>filters</c>: the files under its directory whose path
/// relative to it matches <see cref="Pattern"/> (Go's regex syntax, unanchored, as Prow's) get
/// <see cref="Config"/>. A plain <c>OWNERS</c> file is one filter that matches everything.
/// </summary>
/// <param name="Pattern">The regex as written; <c>.*</c> for everything.</param>
/// <param name="Match">The compiled regex; null for <c>.*</c>, which matches everything as in Prow.</param>
/// <param name="Config">Who owns the matching files.</param>
public sealed record OwnersFilter(string Pattern, Regex? Match, OwnersConfig Config)
{
    /// <summary>Whether the filter applies to <paramref name="relativePath"/>.</summary>
    public bool Matches(string relativePath) => Match is null || Match.IsMatch(relativePath);
}
