using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.RegularExpressions;
using Mothership.Model.Tekton;

namespace Mothership.Model.Substitution;

/// <summary>
/// Tekton's <c>$(…)</c> variables in scope at one point (a pipeline, a task run, a step), and
/// their single-pass replacement: a value that itself contains <c>$(…)</c> is not expanded again.
/// Lookups understand <c>[*]</c>, <c>[i]</c>, <c>.key</c> and the <c>["name"]</c> bracket form.
/// Unknown variables are left as written, as Tekton does; validation reports them beforehand.
/// </summary>
public sealed partial class VariableScope : IVariableRewriter
{
    private readonly Dictionary<string, ParamValue> _values;
    private readonly VariableScope? _parent;

    public VariableScope(IEnumerable<KeyValuePair<string, ParamValue>> values) =>
        _values = new Dictionary<string, ParamValue>(values, StringComparer.Ordinal);

    public VariableScope() => _values = new Dictionary<string, ParamValue>(StringComparer.Ordinal);

    private VariableScope(VariableScope parent)
        : this() => _parent = parent;

    /// <summary>
    /// A scope that sees this one's variables and can add its own without copying them: a
    /// pipeline's scope is built once per decision and every task layers its few extras on it.
    /// </summary>
    public VariableScope Child() => new(this);

    private bool TryGet(string key, out ParamValue value)
    {
        for (var s = this; s is not null; s = s._parent)
        {
            if (s._values.TryGetValue(key, out value!))
            {
                return true;
            }
        }

        value = null!;
        return false;
    }

    private IEnumerable<KeyValuePair<string, ParamValue>> Flatten()
    {
        var all = new Dictionary<string, ParamValue>(StringComparer.Ordinal);
        var chain = new Stack<VariableScope>();
        for (var s = this; s is not null; s = s._parent)
        {
            chain.Push(s);
        }

        foreach (var s in chain)
        {
            foreach (var (k, v) in s._values)
            {
                all[k] = v;
            }
        }

        return all;
    }

    public static VariableScope Empty { get; } = new();

    [GeneratedRegex(@"\$\(\s*([^()]+?)\s*\)")]
    internal static partial Regex ReferencePattern();

    [GeneratedRegex(@"\[\s*[""']([^""']+)[""']\s*\]")]
    private static partial Regex QuotedBracket();

    [GeneratedRegex(@"^(.*)\[(\*|\d+)\]$")]
    private static partial Regex IndexSuffix();

    public VariableScope Set(string key, ParamValue value)
    {
        _values[key] = value;
        return this;
    }

    public VariableScope Set(string key, string value) => Set(key, ParamValue.Of(value));

    /// <summary>Turns <c>params["a.b"]</c> and <c>params['a']</c> into <c>params.a.b</c> / <c>params.a</c>.</summary>
    public static string Normalize(string expression) => QuotedBracket().Replace(expression.Trim(), m => "." + m.Groups[1].Value);

    /// <summary>Resolves one expression (without <c>$( )</c>) to a value, or null if unknown.</summary>
    public ParamValue? Resolve(string expression)
    {
        var expr = Normalize(expression);
        if (TryGet(expr, out var exact))
        {
            return exact;
        }

        var index = IndexSuffix().Match(expr);
        if (index.Success && TryGet(index.Groups[1].Value, out var whole))
        {
            if (index.Groups[2].Value == "*")
            {
                return whole;
            }

            // An index past int's range is past the end of any array: unknown, as one past its end.
            return whole.Type == ParamType.Array &&
                int.TryParse(index.Groups[2].Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var i) &&
                i < whole.ArrayValue.Length ? ParamValue.Of(whole.ArrayValue[i]) : null;
        }

        var dot = expr.LastIndexOf('.');
        if (dot > 0 && TryGet(expr[..dot], out var obj) && obj.Type == ParamType.Object &&
            obj.ObjectValue!.TryGetValue(expr[(dot + 1)..], out var field))
        {
            return ParamValue.Of(field);
        }

        return null;
    }

    /// <summary>Replaces every known variable in a string (arrays and objects as JSON).</summary>
    public string Apply(string? text)
    {
        if (!HasReference(text))
        {
            return text ?? "";
        }

        return ReferencePattern().Replace(text, m => Resolve(m.Groups[1].Value) is { } v ? AsString(v) : m.Value);
    }

    private static string AsString(ParamValue v) => v.Type switch
    {
        ParamType.String => v.StringValue!,
        ParamType.Array => string.Join(' ', v.ArrayValue),
        _ => v.ToString(),
    };

    /// <summary>
    /// A list item that is exactly one reference to an array (<c>$(params.a[*])</c>) becomes that
    /// array's items; anything else is substituted as a string.
    /// </summary>
    public IEnumerable<string> ApplyItem(string item)
    {
        if (WholeReference(item) is { Type: ParamType.Array } array)
        {
            return array.ArrayValue;
        }

        return [Apply(item)];
    }

    public ImmutableArray<string> ApplyList(ImmutableArray<string> items)
    {
        // Most lists hold no variable: return them as they are, without the regex or a copy.
        if (items.IsDefaultOrEmpty || !items.Any(HasReference))
        {
            return items;
        }

        return [.. items.SelectMany(ApplyItem)];
    }

    private static bool HasReference([NotNullWhen(true)] string? text) => !string.IsNullOrEmpty(text) && text.Contains("$(", StringComparison.Ordinal);

    /// <summary>Substitutes inside a param value; a whole reference to an array or object takes its type.</summary>
    public ParamValue ApplyValue(ParamValue value) => value.Type switch
    {
        ParamType.String => WholeReference(value.StringValue!) is { Type: not ParamType.String } typed ? typed : ParamValue.Of(Apply(value.StringValue)),
        ParamType.Array => ParamValue.Of(value.ArrayValue.SelectMany(ApplyItem)),
        _ => ParamValue.Of(value.ObjectValue!.Select(kv => KeyValuePair.Create(kv.Key, Apply(kv.Value)))),
    };

    private ParamValue? WholeReference(string text)
    {
        if (!HasReference(text))
        {
            return null;
        }

        var m = ReferencePattern().Match(text);
        return m.Success && m.Index == 0 && m.Length == text.Length ? Resolve(m.Groups[1].Value) : null;
    }

    /// <summary>Every <c>$(…)</c> expression in a text, normalized, with its offset.</summary>
    public static IEnumerable<(string Expression, int Offset)> References(string? text) =>
        // Most strings hold no variable: no regex, and no iterator object, for them.
        string.IsNullOrEmpty(text) || !text.Contains("$(", StringComparison.Ordinal) ? [] : Matches(text);

    private static IEnumerable<(string Expression, int Offset)> Matches(string text)
    {
        foreach (Match m in ReferencePattern().Matches(text))
        {
            yield return (Normalize(m.Groups[1].Value), m.Index);
        }
    }

    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var (k, v) in Flatten())
        {
            sb.Append(k).Append('=').Append(v).AppendLine();
        }

        return sb.ToString();
    }
}
