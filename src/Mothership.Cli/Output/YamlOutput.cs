using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mothership.Cli.Output;

/// <summary>
/// What the server answers in JSON, printed as YAML (<c>-o yaml</c>, as kubectl prints it): the
/// same tree, block style, strings quoted only where YAML would read them as something else.
/// </summary>
internal static class YamlOutput
{
    public static string Of(JsonNode? node)
    {
        var stream = new YamlStream(new YamlDocument(ToYaml(node)));
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        stream.Save(writer, assignAnchors: false);
        // YamlDotNet ends a document with "...": not what kubectl prints.
        var text = writer.ToString();
        return text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text;
    }

    private static YamlNode ToYaml(JsonNode? node) => node switch
    {
        null => new YamlScalarNode("null") { Style = ScalarStyle.Plain },
        JsonObject o => new YamlMappingNode(o.Select(p => new KeyValuePair<YamlNode, YamlNode>(new YamlScalarNode(p.Key), ToYaml(p.Value)))),
        JsonArray a => new YamlSequenceNode(a.Select(ToYaml)),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => Text(v.GetValue<string>()),
        _ => new YamlScalarNode(node.ToJsonString()) { Style = ScalarStyle.Plain },
    };

    private static YamlScalarNode Text(string text)
    {
        // A string that plain YAML would read as a bool, null or number (or with characters a plain scalar cannot hold) is quoted.
        var looksTyped = text is "" or "~" || bool.TryParse(text, out _) || text.Equals("null", StringComparison.OrdinalIgnoreCase)
            || text.Equals("yes", StringComparison.OrdinalIgnoreCase) || text.Equals("no", StringComparison.OrdinalIgnoreCase)
            || double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
            || (text.Length >= 10 && char.IsAsciiDigit(text[0]) && text[4] == '-' && text[7] == '-'); // a date: YAML 1.1 reads a timestamp
        return new YamlScalarNode(text) { Style = looksTyped ? ScalarStyle.DoubleQuoted : text.Contains('\n', StringComparison.Ordinal) ? ScalarStyle.Literal : ScalarStyle.Any };
    }
}
