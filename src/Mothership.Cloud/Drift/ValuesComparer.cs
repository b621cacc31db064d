using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mothership.Cloud.Values;

namespace Mothership.Cloud.Drift;

/// <summary>
/// Compares desired values (the merged layers, as written) with what <c>helm get values -o json</c>
/// returns. Plain scalars are typed as helm reads the values file (YAML: <c>true</c>, <c>3</c>,
/// <c>null</c>); quoted ones are strings. A desired <c>null</c> matches an absent key, since helm
/// drops it. Maps are compared key by key, lists item by item.
/// </summary>
internal static class ValuesComparer
{
    public static ImmutableArray<ValueDifference> Compare(ValueMap desired, JsonObject? deployed)
    {
        var differences = ImmutableArray.CreateBuilder<ValueDifference>();
        Compare("", desired, deployed ?? [], secret: false, differences);
        return differences.ToImmutable();
    }

    private static void Compare(string path, ValueNode? desired, JsonNode? deployed, bool secret, ImmutableArray<ValueDifference>.Builder into)
    {
        desired = desired is ValueScalar { IsNull: true } ? null : desired;

        // A map or list on one side only is walked as if empty on the other, so each leaf is
        // reported under its own path and masked by its own key.
        switch (desired, deployed)
        {
            case (null, null):
                return;
            case (ValueMap, null):
                deployed = new JsonObject();
                break;
            case (null, JsonObject):
                desired = ValueMap.Empty;
                break;
            case (ValueList, null):
                deployed = new JsonArray();
                break;
            case (null, JsonArray):
                desired = new ValueList([], Model.Diagnostics.SourceLocation.None);
                break;
        }

        switch (desired, deployed)
        {
            case (ValueMap map, JsonObject obj):
                foreach (var (key, value) in map.Entries)
                {
                    Compare(Child(path, key), value, obj[key], secret || SecretValueKeys.IsSecret(key), into);
                }

                foreach (var (key, value) in obj.Where(e => map[e.Key] is null))
                {
                    Compare(Child(path, key), null, value, secret || SecretValueKeys.IsSecret(key), into);
                }

                return;
            case (ValueList list, JsonArray array):
                for (var i = 0; i < Math.Max(list.Items.Length, array.Count); i++)
                {
                    Compare($"{path}[{i}]", i < list.Items.Length ? list.Items[i] : null, i < array.Count ? array[i] : null, secret, into);
                }

                return;
            case (ValueScalar scalar, JsonValue value) when Same(scalar, value):
                return;
        }

        var kind = desired is null ? DifferenceKind.Added : deployed is null ? DifferenceKind.Removed : DifferenceKind.Changed;

        // A map replaced by a scalar (or the reverse) is shown whole: masked if a secret key is anywhere in it.
        var mask = secret || (desired is not null && HasSecret(ToJson(desired))) || HasSecret(deployed);
        into.Add(new ValueDifference(
            path,
            kind,
            desired is null ? null : mask ? SecretValueKeys.Mask : ToJson(desired)?.ToJsonString() ?? "null",
            deployed is null ? null : mask ? SecretValueKeys.Mask : deployed.ToJsonString()));
    }

    private static bool HasSecret(JsonNode? node) => node switch
    {
        JsonObject obj => obj.Any(e => SecretValueKeys.IsSecret(e.Key) || HasSecret(e.Value)),
        JsonArray array => array.Any(HasSecret),
        _ => false,
    };

    private static string Child(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    private static bool Same(ValueScalar scalar, JsonValue value)
    {
        var typed = Typed(scalar);
        return (typed, value.GetValueKind()) switch
        {
            (bool b, JsonValueKind.True or JsonValueKind.False) => b == value.GetValue<bool>(),
            (decimal d, JsonValueKind.Number) => decimal.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n == d,
            (double d, JsonValueKind.Number) => value.GetValue<double>().Equals(d),
            (string s, JsonValueKind.String) => s == value.GetValue<string>(),
            _ => false,
        };
    }

    /// <summary>A scalar typed as YAML reads it: a bool, a number, else its text (quoted scalars are always text).</summary>
    private static object Typed(ValueScalar scalar)
    {
        if (!scalar.Plain)
        {
            return scalar.Text;
        }

        return scalar.Text switch
        {
            "true" or "True" or "TRUE" => true,
            "false" or "False" or "FALSE" => false,
            var t when decimal.TryParse(t, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var d) => d,
            ".inf" or "+.inf" => double.PositiveInfinity,
            "-.inf" => double.NegativeInfinity,
            var t => t,
        };
    }

    private static JsonNode? ToJson(ValueNode node) => node switch
    {
        ValueMap map => new JsonObject(map.Entries.Select(e => KeyValuePair.Create(e.Key, ToJson(e.Value)))),
        ValueList list => new JsonArray([.. list.Items.Select(ToJson)]),
        ValueScalar { IsNull: true } => null,
        ValueScalar scalar => Typed(scalar) switch
        {
            bool b => JsonValue.Create(b),
            decimal d => JsonValue.Create(d),
            double d => JsonValue.Create(d.ToString(CultureInfo.InvariantCulture)),
            var other => JsonValue.Create((string)other),
        },
        _ => null,
    };
}
