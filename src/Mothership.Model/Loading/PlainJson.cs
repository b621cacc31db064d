using System.Globalization;
using System.Text.Json.Nodes;

namespace Mothership.Model.Loading;

/// <summary>
/// Fields the model keeps as written (plain maps, lists and strings, see <c>MapReader.Keep</c>)
/// as JSON, typed the way Kubernetes' own decoder reads YAML: the model keeps every scalar as
/// a string, Kubernetes reads plain <c>true</c> and <c>1000</c> as a boolean and a number.
/// </summary>
public static class PlainJson
{
    /// <summary>
    /// <paramref name="value"/> as JSON; with <paramref name="typedScalars"/> false every scalar
    /// stays a string (resource quantities: <c>cpu: 1</c> is the quantity "1").
    /// </summary>
    public static JsonNode? ToNode(object? value, bool typedScalars = true) => value switch
    {
        IDictionary<string, object?> map => new JsonObject(map.Select(e => KeyValuePair.Create(e.Key, ToNode(e.Value, typedScalars)))),
        IReadOnlyDictionary<string, object?> map => new JsonObject(map.Select(e => KeyValuePair.Create(e.Key, ToNode(e.Value, typedScalars)))),
        string s when typedScalars && s is "true" or "false" => JsonValue.Create(s == "true"),
        string s when typedScalars && long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => JsonValue.Create(n),
        string s => JsonValue.Create(s),
        IEnumerable<object?> list => new JsonArray([.. list.Select(v => ToNode(v, typedScalars))]),
        _ => null,
    };
}
