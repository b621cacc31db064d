using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Mothership.Model.Loading;

/// <summary>A node of a YAML document as the loader reads it: a value and where it starts.</summary>
internal abstract class TreeNode(int line, int column)
{
    public int Line { get; } = line;

    public int Column { get; } = column;
}

/// <summary>A scalar; <see cref="IsPlain"/> distinguishes <c>null</c> from <c>"null"</c>.</summary>
internal sealed class TreeScalar(string value, bool isPlain, int line, int column) : TreeNode(line, column)
{
    public string Value { get; } = value;

    public bool IsPlain { get; } = isPlain;
}

internal sealed class TreeSequence(int line, int column) : TreeNode(line, column)
{
    public List<TreeNode> Items { get; } = [];
}

/// <summary>A mapping, its entries in written order.</summary>
internal sealed class TreeMapping(int line, int column) : TreeNode(line, column)
{
    public List<TreeNode> Keys { get; } = [];

    public List<TreeNode> Values { get; } = [];

    public int Count => Keys.Count;

    /// <summary>The text of the key at <paramref name="i"/>, or null when that key is not a scalar.</summary>
    public string? KeyText(int i) => (Keys[i] as TreeScalar)?.Value;
}

/// <summary>
/// Parses YAML into <see cref="TreeNode"/>s straight from YamlDotNet's parser events: YamlDotNet's
/// representation model (an ordered dictionary and node objects per mapping) cost as much as the
/// parse itself on large pipelines. Documents using what only the representation model defines
/// precisely (aliases, non-scalar or duplicate keys) are read through it instead, so those keep
/// YamlDotNet's behaviour and error messages.
/// </summary>
internal static class YamlTree
{
    /// <summary>Small mappings check keys for duplicates by a scan; larger ones with a set.</summary>
    private const int ScanLimit = 8;

    /// <summary>The root node of each document. Throws <see cref="YamlException"/> for malformed YAML.</summary>
    public static List<TreeNode> Parse(string text)
    {
        var documents = new List<TreeNode>();
        var parser = new Parser(new StringReader(text));
        parser.Consume<StreamStart>();
        while (!parser.TryConsume<StreamEnd>(out _))
        {
            parser.Consume<DocumentStart>();
            if (Read(parser) is not { } root)
            {
                return FromRepresentationModel(text);
            }

            parser.Consume<DocumentEnd>();
            documents.Add(root);
        }

        return documents;
    }

    /// <summary>Reads the node at the parser's position, or null when the document needs the representation model.</summary>
    private static TreeNode? Read(IParser parser)
    {
        var e = parser.Current!;
        var line = (int)e.Start.Line;
        var column = (int)e.Start.Column;
        switch (e)
        {
            case Scalar s:
                parser.MoveNext();
                return new TreeScalar(s.Value, s.Style == ScalarStyle.Plain, line, column);
            case SequenceStart:
                parser.MoveNext();
                var sequence = new TreeSequence(line, column);
                while (!parser.TryConsume<SequenceEnd>(out _))
                {
                    if (Read(parser) is not { } item)
                    {
                        return null;
                    }

                    sequence.Items.Add(item);
                }

                return sequence;
            case MappingStart:
                parser.MoveNext();
                var mapping = new TreeMapping(line, column);
                HashSet<string>? keys = null;
                while (!parser.TryConsume<MappingEnd>(out _))
                {
                    if (Read(parser) is not TreeScalar key || !IsNewKey(mapping, key.Value, ref keys) || Read(parser) is not { } value)
                    {
                        return null;
                    }

                    mapping.Keys.Add(key);
                    mapping.Values.Add(value);
                }

                return mapping;
            default:
                // An alias: only the representation model resolves them as the loader always has.
                return null;
        }
    }

    private static bool IsNewKey(TreeMapping mapping, string key, ref HashSet<string>? keys)
    {
        if (mapping.Count < ScanLimit)
        {
            for (var i = 0; i < mapping.Count; i++)
            {
                if (string.Equals(((TreeScalar)mapping.Keys[i]).Value, key, StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return true;
        }

        if (keys is null)
        {
            keys = new HashSet<string>(StringComparer.Ordinal);
            foreach (var k in mapping.Keys)
            {
                keys.Add(((TreeScalar)k).Value);
            }
        }

        return keys.Add(key);
    }

    /// <summary>The slow, exact path: YamlDotNet's representation model, converted.</summary>
    private static List<TreeNode> FromRepresentationModel(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        var converted = new Dictionary<YamlNode, TreeNode>(ReferenceEqualityComparer.Instance);
        return [.. stream.Documents.Select(d => Convert(d.RootNode, converted))];
    }

    private static TreeNode Convert(YamlNode node, Dictionary<YamlNode, TreeNode> converted)
    {
        // Aliases make the model a graph (possibly cyclic): convert each node once.
        if (converted.TryGetValue(node, out var done))
        {
            return done;
        }

        var line = (int)node.Start.Line;
        var column = (int)node.Start.Column;
        switch (node)
        {
            case YamlSequenceNode s:
                var sequence = new TreeSequence(line, column);
                converted[node] = sequence;
                foreach (var item in s.Children)
                {
                    sequence.Items.Add(Convert(item, converted));
                }

                return sequence;
            case YamlMappingNode m:
                var mapping = new TreeMapping(line, column);
                converted[node] = mapping;
                foreach (var (k, v) in m.Children)
                {
                    mapping.Keys.Add(Convert(k, converted));
                    mapping.Values.Add(Convert(v, converted));
                }

                return mapping;
            default:
                var scalar = (YamlScalarNode)node;
                return converted[node] = new TreeScalar(scalar.Value ?? "", scalar.Style == ScalarStyle.Plain, line, column);
        }
    }
}
