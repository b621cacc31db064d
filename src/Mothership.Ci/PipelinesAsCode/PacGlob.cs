using System.Text;
using System.Text.RegularExpressions;

namespace Mothership.Ci.PipelinesAsCode;

/// <summary>
/// The globs of PaC's branch and path annotations, with the meaning of the Go library PaC uses
/// (gobwas/glob compiled without separators): <c>*</c> and <c>**</c> match any text, <c>/</c>
/// included; <c>?</c> one character; <c>[abc]</c>, <c>[a-z]</c>, <c>[!abc]</c> a class;
/// <c>{a,b}</c> alternatives; <c>\</c> escapes. A glob matches a whole string.
/// </summary>
public static class PacGlob
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(1);

    /// <summary>Whether <paramref name="glob"/> matches all of <paramref name="text"/>; a malformed glob matches nothing.</summary>
    public static bool IsMatch(string glob, string text)
    {
        ArgumentNullException.ThrowIfNull(glob);
        ArgumentNullException.ThrowIfNull(text);
        return ToRegex(glob) is { } regex && regex.IsMatch(text);
    }

    /// <summary>The regex of <paramref name="glob"/>, or null when it is malformed (an unclosed class or brace).</summary>
    public static Regex? ToRegex(string glob)
    {
        ArgumentNullException.ThrowIfNull(glob);
        var pattern = new StringBuilder("^");
        var i = 0;
        if (!Append(glob, ref i, pattern, inBraces: false) || i != glob.Length)
        {
            return null;
        }

        pattern.Append('$');
        return new Regex(pattern.ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline | RegexOptions.NonBacktracking, Limit);
    }

    /// <summary>Appends the glob from <paramref name="i"/> up to its end, or inside braces up to the next <c>,</c> or <c>}</c>.</summary>
    private static bool Append(string glob, ref int i, StringBuilder pattern, bool inBraces)
    {
        while (i < glob.Length)
        {
            var c = glob[i];
            if (inBraces && c is ',' or '}')
            {
                return true;
            }

            i++;
            switch (c)
            {
                case '*':
                    pattern.Append(".*");
                    break;
                case '?':
                    pattern.Append('.');
                    break;
                case '\\' when i < glob.Length:
                    pattern.Append(Regex.Escape(glob[i++].ToString()));
                    break;
                case '[':
                    var close = glob.IndexOf(']', i);
                    if (close < 0)
                    {
                        return false;
                    }

                    var set = glob[i..close];
                    var negate = set.StartsWith('!');
                    set = negate ? set[1..] : set;
                    pattern.Append('[').Append(negate ? "^" : "").Append(set.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("[", "\\[", StringComparison.Ordinal).Replace("^", "\\^", StringComparison.Ordinal)).Append(']');
                    i = close + 1;
                    break;
                case '{':
                    pattern.Append("(?:");
                    while (true)
                    {
                        if (!Append(glob, ref i, pattern, inBraces: true) || i >= glob.Length)
                        {
                            return false;
                        }

                        if (glob[i++] == '}')
                        {
                            break;
                        }

                        pattern.Append('|');
                    }

                    pattern.Append(')');
                    break;
                default:
                    pattern.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        return !inBraces;
    }
}
