using System.Collections.Immutable;
using Mothership.Store;

namespace Mothership.Server.Api;

/// <summary>
/// Kubernetes label selector syntax (<c>app=web,tier!=db,env in (a,b),!canary,team</c>), parsed
/// by hand: it is a dozen lines of grammar and no package on our feed implements it outside a
/// Kubernetes client.
/// </summary>
public static class LabelSelector
{
    /// <summary>Parses a selector; on failure returns false with a message saying what is wrong.</summary>
    public static bool TryParse(string text, out ImmutableArray<LabelRequirement> requirements, out string error)
    {
        var result = ImmutableArray.CreateBuilder<LabelRequirement>();
        requirements = [];
        error = "";
        foreach (var part in SplitTopLevel(text))
        {
            var p = part.Trim();
            if (p.Length == 0)
            {
                continue;
            }

            LabelRequirement? r = null;
            if (p.StartsWith('!'))
            {
                r = new LabelRequirement(p[1..].Trim(), LabelOperator.DoesNotExist, []);
            }
            else if ((SetOperator(p, " notin ", LabelOperator.NotIn) ?? SetOperator(p, " in ", LabelOperator.In)) is { } set)
            {
                r = set;
            }
            else if (p.IndexOf("!=", StringComparison.Ordinal) is var ne and > 0)
            {
                r = new LabelRequirement(p[..ne].Trim(), LabelOperator.NotEquals, [p[(ne + 2)..].Trim()]);
            }
            else if (p.IndexOf("==", StringComparison.Ordinal) is var ee and > 0)
            {
                r = new LabelRequirement(p[..ee].Trim(), LabelOperator.Equals, [p[(ee + 2)..].Trim()]);
            }
            else if (p.IndexOf('=', StringComparison.Ordinal) is var eq and > 0)
            {
                r = new LabelRequirement(p[..eq].Trim(), LabelOperator.Equals, [p[(eq + 1)..].Trim()]);
            }
            else if (!p.Contains(' ', StringComparison.Ordinal) && !p.Contains('(', StringComparison.Ordinal))
            {
                r = new LabelRequirement(p, LabelOperator.Exists, []);
            }

            if (r is null || r.Key.Length == 0 || r.Key.Any(c => char.IsWhiteSpace(c) || c is '(' or ')' or ',' or '=' or '!') || r.Values.Any(v => v.Any(c => char.IsWhiteSpace(c) || c is '(' or ')' or ',' or '=' or '!')))
            {
                error = $"labelSelector: cannot parse '{p}' (expected key=value, key!=value, key in (a,b), key notin (a,b), key or !key)";
                return false;
            }

            result.Add(r);
        }

        requirements = result.ToImmutable();
        return true;
    }

    private static LabelRequirement? SetOperator(string p, string word, LabelOperator op)
    {
        var i = p.IndexOf(word, StringComparison.Ordinal);
        if (i <= 0)
        {
            return null;
        }

        var rest = p[(i + word.Length)..].Trim();
        if (!rest.StartsWith('(') || !rest.EndsWith(')'))
        {
            return null;
        }

        var values = rest[1..^1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return new LabelRequirement(p[..i].Trim(), op, [.. values]);
    }

    /// <summary>Splits on commas outside parentheses.</summary>
    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            depth += text[i] switch { '(' => 1, ')' => -1, _ => 0 };
            if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }

        yield return text[start..];
    }
}
