using System.Text.Json.Nodes;

namespace Mothership.Testing.Kubernetes;

/// <summary>A selector the request could not be parsed into; the API answers 400 BadRequest with its message.</summary>
internal sealed class SelectorException(string message) : Exception(message);

/// <summary>
/// A label selector in the query-string syntax: <c>k=v</c>, <c>k==v</c>, <c>k!=v</c>,
/// <c>k in (a,b)</c>, <c>k notin (a,b)</c>, <c>k</c> and <c>!k</c>, joined by commas (all must hold).
/// </summary>
internal sealed class LabelSelector
{
    private readonly List<Func<IReadOnlyDictionary<string, string>, bool>> _terms;

    private LabelSelector(List<Func<IReadOnlyDictionary<string, string>, bool>> terms) => _terms = terms;

    public static LabelSelector? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return new LabelSelector(SplitTerms(text).Select(ParseTerm).ToList());
    }

    public bool Matches(IReadOnlyDictionary<string, string> labels) => _terms.All(t => t(labels));

    // Commas separate terms except inside the parentheses of in/notin.
    private static IEnumerable<string> SplitTerms(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    yield return text[start..i].Trim();
                    start = i + 1;
                    break;
            }
        }

        yield return text[start..].Trim();
    }

    private static Func<IReadOnlyDictionary<string, string>, bool> ParseTerm(string term)
    {
        if (term.Length == 0)
        {
            throw new SelectorException("unable to parse requirement: empty term in label selector");
        }

        if (term.StartsWith('!'))
        {
            var key = Key(term[1..]);
            return labels => !labels.ContainsKey(key);
        }

        if (term.IndexOf("!=", StringComparison.Ordinal) is var ne and > 0)
        {
            var key = Key(term[..ne]);
            var value = term[(ne + 2)..].Trim();
            return labels => !labels.TryGetValue(key, out var v) || v != value;
        }

        if (term.IndexOf('=') is var eq and > 0)
        {
            var key = Key(term[..eq]);
            var value = term[(eq + 1)..].TrimStart('=').Trim();
            return labels => labels.TryGetValue(key, out var v) && v == value;
        }

        var words = term.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length == 1)
        {
            var key = Key(words[0]);
            return labels => labels.ContainsKey(key);
        }

        var rest = words[1];
        var notIn = rest.StartsWith("notin", StringComparison.Ordinal);
        if (!notIn && !rest.StartsWith("in", StringComparison.Ordinal))
        {
            throw new SelectorException($"unable to parse requirement: unknown operator in \"{term}\"");
        }

        var list = rest[(notIn ? 5 : 2)..].Trim();
        if (!list.StartsWith('(') || !list.EndsWith(')'))
        {
            throw new SelectorException($"unable to parse requirement: expected a parenthesized set of values in \"{term}\"");
        }

        var values = list[1..^1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var name = Key(words[0]);
        return notIn
            ? labels => !labels.TryGetValue(name, out var v) || !values.Contains(v)
            : labels => labels.TryGetValue(name, out var v) && values.Contains(v);
    }

    private static string Key(string text)
    {
        var key = text.Trim();
        if (key.Length == 0 || key.Any(c => char.IsWhiteSpace(c) || c is '(' or ')' or '!' or '='))
        {
            throw new SelectorException($"unable to parse requirement: invalid label key \"{key}\"");
        }

        return key;
    }
}

/// <summary>
/// A field selector: <c>path=value</c>, <c>path==value</c> or <c>path!=value</c> joined by commas.
/// Any dotted path of the object is accepted (the real API server allows a few per kind, such as
/// <c>metadata.name</c>, <c>status.phase</c>, <c>involvedObject.name</c>, and rejects the rest).
/// </summary>
internal sealed class FieldSelector
{
    private readonly List<(string Path, string Value, bool Equal)> _terms;

    private FieldSelector(List<(string Path, string Value, bool Equal)> terms) => _terms = terms;

    public static FieldSelector? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var terms = new List<(string, string, bool)>();
        foreach (var term in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (term.IndexOf("!=", StringComparison.Ordinal) is var ne and > 0)
            {
                terms.Add((term[..ne], term[(ne + 2)..], false));
            }
            else if (term.IndexOf('=') is var eq and > 0)
            {
                terms.Add((term[..eq], term[(eq + 1)..].TrimStart('='), true));
            }
            else
            {
                throw new SelectorException($"invalid selector: '{text}'; can't understand '{term}'");
            }
        }

        return new FieldSelector(terms);
    }

    public bool Matches(JsonObject obj) => _terms.All(t => (KubeJson.Field(obj, t.Path) == t.Value) == t.Equal);
}

/// <summary>Which objects a list, a watch or a delete-collection covers.</summary>
internal sealed record ObjectFilter(ResourceKind Kind, string? Namespace, LabelSelector? Labels = null, FieldSelector? Fields = null)
{
    public bool Matches(ResourceKind kind, JsonObject obj) =>
        kind == Kind &&
        (Namespace is null || KubeJson.Namespace(obj) == Namespace) &&
        (Labels is null || Labels.Matches(KubeJson.Labels(obj))) &&
        (Fields is null || Fields.Matches(obj));
}
