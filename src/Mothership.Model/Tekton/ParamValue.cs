using System.Collections.Immutable;

namespace Mothership.Model.Tekton;

/// <summary>Tekton's three param and result types.</summary>
public enum ParamType
{
    String,
    Array,
    Object,
}

/// <summary>
/// A param or result value: a string, an array of strings or an object of string values.
/// Equality compares contents, so values read back from files compare equal to expectations.
/// </summary>
public sealed record ParamValue
{
    private ParamValue(ParamType type, string? str, ImmutableArray<string> array, ImmutableSortedDictionary<string, string>? obj)
    {
        Type = type;
        StringValue = str;
        ArrayValue = array;
        ObjectValue = obj;
    }

    public ParamType Type { get; }

    public string? StringValue { get; }

    public ImmutableArray<string> ArrayValue { get; }

    public ImmutableSortedDictionary<string, string>? ObjectValue { get; }

    public static ParamValue Of(string value) => new(ParamType.String, value, [], null);

    public static ParamValue Of(IEnumerable<string> values) => new(ParamType.Array, null, [.. values], null);

    public static ParamValue Of(IEnumerable<KeyValuePair<string, string>> values) =>
        new(ParamType.Object, null, [], values.ToImmutableSortedDictionary(StringComparer.Ordinal));

    public bool Equals(ParamValue? other) =>
        other is not null && Type == other.Type && Type switch
        {
            ParamType.String => StringValue == other.StringValue,
            ParamType.Array => ArrayValue.SequenceEqual(other.ArrayValue),
            _ => ObjectValue!.Count == other.ObjectValue!.Count &&
                 ObjectValue.All(kv => other.ObjectValue.TryGetValue(kv.Key, out var v) && v == kv.Value),
        };

    public override int GetHashCode() => Type switch
    {
        ParamType.String => StringValue!.GetHashCode(StringComparison.Ordinal),
        ParamType.Array => ArrayValue.Length,
        _ => ObjectValue!.Count,
    };

    /// <summary>A compact text form for logs and tables (JSON for arrays and objects).</summary>
    public override string ToString() => Type switch
    {
        ParamType.String => StringValue!,
        ParamType.Array => System.Text.Json.JsonSerializer.Serialize(ArrayValue, ParamValueJsonContext.Default.ImmutableArrayString),
        _ => System.Text.Json.JsonSerializer.Serialize(ObjectValue!, ParamValueJsonContext.Default.ImmutableSortedDictionaryStringString),
    };

    /// <summary>Parses a command-line or result-file value: JSON when it looks like an array or object.</summary>
    public static ParamValue Parse(string text, ParamType? expected = null)
    {
        var trimmed = text.TrimStart();
        var looksJson = trimmed.StartsWith('[') || trimmed.StartsWith('{');
        if (expected == ParamType.String || (!looksJson && expected is null))
        {
            return Of(text);
        }

        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(text);
            return doc.RootElement.ValueKind switch
            {
                System.Text.Json.JsonValueKind.Array => Of(doc.RootElement.EnumerateArray().Select(JsonScalar)),
                System.Text.Json.JsonValueKind.Object => Of(doc.RootElement.EnumerateObject()
                    .Select(p => KeyValuePair.Create(p.Name, JsonScalar(p.Value)))),
                _ => Of(text),
            };
        }
        catch (System.Text.Json.JsonException)
        {
            return Of(text);
        }
    }

    private static string JsonScalar(System.Text.Json.JsonElement e) =>
        e.ValueKind == System.Text.Json.JsonValueKind.String ? e.GetString()! : e.GetRawText();
}
