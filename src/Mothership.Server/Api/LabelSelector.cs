using System.Collections.Immutable;
using Mothership.Store;

namespace Mothership.Server.Api;

/// <summary>
/// Kubernetes label selector syntax (<c>app=web,tier!=db,env in (a,b),!canary,team</c>), parsed
/// by hand as Kubernetes' own lexer and parser do (<c>k8s.io/apimachinery/pkg/labels</c>): no
/// package on our feed implements it outside a Kubernetes client. Keys and values are checked as
/// Kubernetes checks label keys and values, so every selector it accepts is one the store can
/// query, and every other is refused with a message saying what is wrong and where.
/// </summary>
public static class LabelSelector
{
    private const string Expected = "expected key=value, key!=value, key in (a,b), key notin (a,b), key or !key";

    private enum Kind
    {
        End,
        Identifier,
        Not,
        Equals,
        DoubleEquals,
        NotEquals,
        Open,
        Close,
        Comma,
        Greater,
        Less,
    }

    private readonly record struct Token(Kind Kind, string Text, int At);

    /// <summary>
    /// Parses a selector; on failure returns false with a message saying what is wrong (starting
    /// <c>labelSelector: </c>). An empty or blank selector selects everything.
    /// </summary>
    public static bool TryParse(string text, out ImmutableArray<LabelRequirement> requirements, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        requirements = [];
        error = "";
        var tokens = Lex(text);
        if (tokens.Count == 1)
        {
            return true;
        }

        var result = ImmutableArray.CreateBuilder<LabelRequirement>();
        var i = 0;
        while (true)
        {
            if (!Requirement(text, tokens, ref i, out var requirement, out error))
            {
                return false;
            }

            result.Add(requirement!);
            var next = tokens[i++];
            if (next.Kind == Kind.End)
            {
                break;
            }

            if (next.Kind != Kind.Comma)
            {
                error = Error(text, next, $"found '{next.Text}' after a requirement, expected ',' or the end");
                return false;
            }
        }

        requirements = result.ToImmutable();
        return true;
    }

    private static bool Requirement(string text, List<Token> tokens, ref int i, out LabelRequirement? requirement, out string error)
    {
        requirement = null;
        error = "";
        var first = tokens[i];
        if (first.Kind == Kind.Not)
        {
            i++;
            if (!Key(text, tokens[i], out error))
            {
                return false;
            }

            requirement = new LabelRequirement(tokens[i++].Text, LabelOperator.DoesNotExist, []);
            return true;
        }

        if (!Key(text, first, out error))
        {
            return false;
        }

        var key = first.Text;
        var op = tokens[++i];
        switch (op.Kind)
        {
            case Kind.End or Kind.Comma:
                requirement = new LabelRequirement(key, LabelOperator.Exists, []);
                return true;
            case Kind.Equals or Kind.DoubleEquals or Kind.NotEquals:
                i++;
                var value = "";
                if (tokens[i].Kind == Kind.Identifier)
                {
                    value = tokens[i++].Text;
                }
                else if (tokens[i].Kind is not (Kind.End or Kind.Comma))
                {
                    error = Error(text, tokens[i], $"found '{tokens[i].Text}' where the value of '{key}' should be");
                    return false;
                }

                if (!Value(text, op, value, out error))
                {
                    return false;
                }

                requirement = new LabelRequirement(key, op.Kind == Kind.NotEquals ? LabelOperator.NotEquals : LabelOperator.Equals, [value]);
                return true;
            case Kind.Identifier when op.Text is "in" or "notin":
                i++;
                if (!Set(text, tokens, ref i, key, op.Text, out var values, out error))
                {
                    return false;
                }

                requirement = new LabelRequirement(key, op.Text == "in" ? LabelOperator.In : LabelOperator.NotIn, values);
                return true;
            case Kind.Greater or Kind.Less:
                error = Error(text, op, "the operators > and < are not supported here");
                return false;
            default:
                error = Error(text, op, $"found '{op.Text}' after the key '{key}'");
                return false;
        }
    }

    /// <summary>The values of <c>in (a,b)</c> from its opening parenthesis; Kubernetes refuses an empty set.</summary>
    private static bool Set(string text, List<Token> tokens, ref int i, string key, string op, out ImmutableArray<string> values, out string error)
    {
        values = [];
        error = "";
        if (tokens[i].Kind != Kind.Open)
        {
            error = Error(text, tokens[i], $"'{key} {op}' needs its values in parentheses, as in {key} {op} (a,b)");
            return false;
        }

        var open = tokens[i++];
        if (tokens[i].Kind == Kind.Close)
        {
            error = Error(text, open, $"'{key} {op} ()' has no values: {op} needs at least one, as in {key} {op} (a,b)");
            return false;
        }

        var result = ImmutableArray.CreateBuilder<string>();
        while (true)
        {
            var value = "";
            var at = tokens[i];
            if (at.Kind == Kind.Identifier)
            {
                value = at.Text;
                i++;
            }

            if (!Value(text, at, value, out error))
            {
                return false;
            }

            result.Add(value);
            var next = tokens[i++];
            if (next.Kind == Kind.Close)
            {
                values = result.ToImmutable();
                return true;
            }

            if (next.Kind != Kind.Comma)
            {
                error = Error(text, next, next.Kind == Kind.End
                    ? $"the values of '{key} {op}' are not closed with ')'"
                    : $"found '{next.Text}' among the values of '{key} {op}', expected ',' or ')'");
                return false;
            }
        }
    }

    /// <summary>A label key as Kubernetes checks it: an optional DNS subdomain prefix and '/', then a name of at most 63 characters.</summary>
    private static bool Key(string text, Token token, out string error)
    {
        error = "";
        if (token.Kind != Kind.Identifier)
        {
            error = Error(text, token, token.Kind == Kind.End ? "a label key is missing at the end" : $"found '{token.Text}' where a label key should be");
            return false;
        }

        var key = token.Text;
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var name = slash < 0 ? key : key[(slash + 1)..];
        if (slash >= 0 && !IsSubdomain(key[..slash]))
        {
            error = Error(text, token, $"'{key}' is not a label key: its prefix before '/' must be a DNS subdomain (lower-case letters, digits, '-' and '.', at most 253)");
            return false;
        }

        if (!IsName(name) || name.Length == 0)
        {
            error = Error(text, token, $"'{key}' is not a label key: the name must be 1 to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit");
            return false;
        }

        return true;
    }

    private static bool Value(string text, Token at, string value, out string error)
    {
        error = "";
        if (IsName(value))
        {
            return true;
        }

        error = Error(text, at, $"'{value}' is not a label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit");
        return false;
    }

    /// <summary>Empty, or 1 to 63 of <c>[-_.A-Za-z0-9]</c> starting and ending with a letter or digit (Kubernetes' qualified name and label value).</summary>
    private static bool IsName(string s) =>
        s.Length == 0 || (s.Length <= 63 && char.IsAsciiLetterOrDigit(s[0]) && char.IsAsciiLetterOrDigit(s[^1]) &&
            s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'));

    /// <summary>A DNS-1123 subdomain: dot-separated labels of lower-case letters, digits and '-', each starting and ending with a letter or digit.</summary>
    private static bool IsSubdomain(string s) =>
        s.Length is > 0 and <= 253 && s.Split('.').All(part => part.Length is > 0 and <= 63 &&
            IsLowerOrDigit(part[0]) && IsLowerOrDigit(part[^1]) && part.All(c => IsLowerOrDigit(c) || c == '-'));

    private static bool IsLowerOrDigit(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);

    private static string Error(string text, Token at, string what) =>
        $"labelSelector: {what} (at character {at.At + 1} of '{text}'; {Expected})";

    /// <summary>Kubernetes' lexer: identifiers are runs of anything but blanks and <c>!=(),&lt;&gt;</c>.</summary>
    private static List<Token> Lex(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i == text.Length)
            {
                tokens.Add(new Token(Kind.End, "end", i));
                return tokens;
            }

            var c = text[i];
            var two = i + 1 < text.Length ? text.Substring(i, 2) : "";
            (Kind Kind, int Length)? special = two switch
            {
                "==" => (Kind.DoubleEquals, 2),
                "!=" => (Kind.NotEquals, 2),
                _ => c switch
                {
                    '=' => (Kind.Equals, 1),
                    '!' => (Kind.Not, 1),
                    '(' => (Kind.Open, 1),
                    ')' => (Kind.Close, 1),
                    ',' => (Kind.Comma, 1),
                    '>' => (Kind.Greater, 1),
                    '<' => (Kind.Less, 1),
                    _ => null,
                },
            };
            if (special is { } s)
            {
                tokens.Add(new Token(s.Kind, text.Substring(i, s.Length), i));
                i += s.Length;
                continue;
            }

            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('=' or '!' or '(' or ')' or ',' or '>' or '<'))
            {
                i++;
            }

            tokens.Add(new Token(Kind.Identifier, text[start..i], start));
        }
    }
}
