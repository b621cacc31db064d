using System.Collections.Immutable;
using System.Text;
using System.Text.RegularExpressions;

namespace Mothership.Ci.Plugins.Size;

/// <summary>
/// The <c>linguist-generated=true</c> patterns of a <c>.gitattributes</c> (Prow's
/// <c>gitattributes.Group</c>): a pattern without <c>/</c> matches any path element, one with
/// <c>/</c> matches from the root with <c>**</c> for any number of directories; negative and
/// directory patterns are refused, as Prow refuses them.
/// </summary>
public sealed record GitAttributes
{
    /// <summary>The file's name at the repository root.</summary>
    public const string FileName = ".gitattributes";

    /// <summary>No file: nothing is linguist-generated.</summary>
    public static GitAttributes None { get; } = new();

    private ImmutableArray<(bool IsPath, ImmutableArray<string> Parts)> Patterns { get; init; } = [];

    /// <summary>Reads the file's text; a pattern Prow refuses makes <paramref name="error"/> say so and the file count for nothing.</summary>
    public static GitAttributes Parse(string text, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        error = null;
        var patterns = ImmutableArray.CreateBuilder<(bool, ImmutableArray<string>)>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2 || !fields.Skip(1).Contains("linguist-generated=true"))
            {
                continue;
            }

            var p = fields[0];
            if (p.StartsWith('!'))
            {
                error = $"error parsing pattern: negative patterns are forbidden: <{p}>";
                return None;
            }

            if (p.EndsWith('/'))
            {
                error = $"error parsing pattern: directory patterns are not matched recursively, use path/** instead: <{p}>";
                return None;
            }

            patterns.Add((p.Contains('/', StringComparison.Ordinal), [.. p.Split('/')]));
        }

        return new GitAttributes { Patterns = patterns.ToImmutable() };
    }

    /// <summary>Whether <paramref name="path"/> is <c>linguist-generated</c> (Prow's <c>IsLinguistGenerated</c>).</summary>
    public bool IsLinguistGenerated(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var elements = path.Split('/');
        return Patterns.Any(p => p.IsPath ? PathMatch(p.Parts, elements) : elements.Any(e => GlobMatch(p.Parts[0], e)));
    }

    /// <summary>Prow's <c>pattern.pathMatch</c>, step for step.</summary>
    private static bool PathMatch(ImmutableArray<string> pattern, string[] path)
    {
        var rest = path.AsSpan();
        var matched = false;
        var canTraverse = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var part = pattern[i];
            if (part.Length == 0)
            {
                canTraverse = false;
                continue;
            }

            if (part == "**")
            {
                if (i == pattern.Length - 1)
                {
                    break;
                }

                canTraverse = true;
                continue;
            }

            if (part.Contains("**", StringComparison.Ordinal) || rest.Length == 0)
            {
                return false;
            }

            if (canTraverse)
            {
                canTraverse = false;
                while (rest.Length > 0)
                {
                    var element = rest[0];
                    rest = rest[1..];
                    if (GlobMatch(part, element))
                    {
                        matched = true;
                        break;
                    }

                    if (rest.Length == 0)
                    {
                        matched = false;
                    }
                }
            }
            else
            {
                if (!GlobMatch(part, rest[0]))
                {
                    return false;
                }

                matched = true;
                rest = rest[1..];
            }
        }

        return matched;
    }

    /// <summary>Go's <c>filepath.Match</c> on one path element: <c>*</c>, <c>?</c>, <c>[…]</c> classes, <c>\</c> escapes; a bad pattern matches nothing.</summary>
    internal static bool GlobMatch(string pattern, string name)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*':
                    regex.Append("[^/]*");
                    break;
                case '?':
                    regex.Append("[^/]");
                    break;
                case '\\' when i + 1 < pattern.Length:
                    regex.Append(Regex.Escape(pattern[++i].ToString()));
                    break;
                case '[':
                    var end = pattern.IndexOf(']', i + 2);
                    if (end < 0)
                    {
                        return false;
                    }

                    var set = pattern[(i + 1)..end];
                    regex.Append('[').Append(set.StartsWith('^') ? "^" + Escape(set[1..]) : Escape(set)).Append(']');
                    i = end;
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        return Regex.IsMatch(name, regex.Append('$').ToString(), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

        static string Escape(string set) => set.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("[", "\\[", StringComparison.Ordinal);
    }
}
