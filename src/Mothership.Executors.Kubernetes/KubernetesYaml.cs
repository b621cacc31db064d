using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mothership.Executors.Kubernetes;

/// <summary>
/// YAML documents as the JSON <c>kubectl</c> sends for them: plain scalars typed as
/// <c>sigs.k8s.io/yaml</c> types them (go-yaml v2, YAML 1.1) — <c>replicas: 2</c> a number,
/// <c>defaultMode: 0644</c> the octal 420, <c>enabled: yes</c> a boolean — and quoted scalars strings.
/// </summary>
/// <remarks>
/// Hand-written: YamlDotNet's deserializer types scalars by the YAML 1.2 core schema into .NET
/// objects, which misses Kubernetes users' YAML 1.1 habits (octal modes, <c>yes</c>/<c>on</c>), and
/// no package on the feed converts YAML to JSON as the Kubernetes tools do.
/// </remarks>
public static partial class KubernetesYaml
{
    /// <summary>The document's root as JSON with kubectl's typing.</summary>
    public static JsonNode? Typed(YamlNode node) => node switch
    {
        YamlMappingNode m => Mapping(m),
        YamlSequenceNode s => new JsonArray([.. s.Children.Select(Typed)]),
        YamlScalarNode { Style: ScalarStyle.Plain } s => Plain(s.Value ?? ""),
        YamlScalarNode s => JsonValue.Create(s.Value ?? ""),
        _ => null,
    };

    private static JsonObject Mapping(YamlMappingNode m)
    {
        var json = new JsonObject();
        foreach (var (key, value) in m.Children)
        {
            if (key is YamlScalarNode { Value: "<<", Style: ScalarStyle.Plain })
            {
                // A merge key: the merged mappings' entries, unless the mapping sets them itself.
                foreach (var merged in value is YamlSequenceNode list ? list.Children : [value])
                {
                    if (merged is YamlMappingNode source)
                    {
                        foreach (var (k, v) in Mapping(source))
                        {
                            if (!m.Children.ContainsKey(new YamlScalarNode(k)))
                            {
                                json[k] ??= v?.DeepClone();
                            }
                        }
                    }
                }

                continue;
            }

            // Keys are strings in JSON; go-yaml's typed keys (1, true) become their text.
            json[key is YamlScalarNode k2 ? k2.Value ?? "" : key.ToString()] = Typed(value);
        }

        return json;
    }

    private static JsonNode? Plain(string text)
    {
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "y" or "Y" or "yes" or "Yes" or "YES" or "true" or "True" or "TRUE" or "on" or "On" or "ON":
                return JsonValue.Create(true);
            case "n" or "N" or "no" or "No" or "NO" or "false" or "False" or "FALSE" or "off" or "Off" or "OFF":
                return JsonValue.Create(false);
        }

        if (IntPattern().IsMatch(text) && Integer(text.Replace("_", "", StringComparison.Ordinal)) is { } integer)
        {
            return JsonValue.Create(integer);
        }

        // .inf and .nan have no JSON form: kept as text, which the API server then judges.
        return FloatPattern().IsMatch(text) && double.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
            ? JsonValue.Create(number)
            : JsonValue.Create(text);
    }

    /// <summary>go-yaml v2's integers: decimal, <c>0x</c> hex, <c>0b</c> binary, a leading <c>0</c> (or <c>0o</c>) octal; null past 64 bits.</summary>
    private static long? Integer(string text)
    {
        var negative = text.StartsWith('-');
        var digits = text.TrimStart('+', '-');
        var (radix, body) = digits switch
        {
            ['0', 'x', .. var rest] => (16, rest),
            ['0', 'b', .. var rest] => (2, rest),
            ['0', 'o', .. var rest] => (8, rest),
            ['0', _, .. var rest] => (8, digits[1..]),
            _ => (10, digits),
        };
        try
        {
            var value = Convert.ToInt64(body, radix);
            return negative ? -value : value;
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"^[-+]?(0b[01_]+|0x[0-9a-fA-F_]+|0o?[0-7_]+|[0-9][0-9_]*)$")]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
