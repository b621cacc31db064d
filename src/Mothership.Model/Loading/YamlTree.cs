using System.Runtime.InteropServices;
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
    private TreeNode[] _items = [];

    public int Count { get; private set; }

    public IEnumerable<TreeNode> Items => _items.Take(Count);

    public TreeNode Item(int i) => i < Count ? _items[i] : throw new ArgumentOutOfRangeException(nameof(i));

    public void Add(TreeNode item) => Append(ref _items, Count++, item);

    /// <summary>
    /// Stores <paramref name="node"/> at <paramref name="at"/>, growing the array: the nodes keep
    /// their arrays themselves, as a <see cref="List{T}"/> would add an object per collection.
    /// </summary>
    internal static void Append(ref TreeNode[] items, int at, TreeNode node)
    {
        if (at == items.Length)
        {
            Array.Resize(ref items, Math.Max(4, items.Length * 2));
        }

        items[at] = node;
    }
}

/// <summary>A mapping, its entries in written order.</summary>
internal sealed class TreeMapping(int line, int column) : TreeNode(line, column)
{
    // Keys and values alternate in one array: fewer objects stay alive on large files.
    private TreeNode[] _entries = [];

    public int Count { get; private set; }

    public TreeNode Key(int i) => i < Count ? _entries[2 * i] : throw new ArgumentOutOfRangeException(nameof(i));

    public TreeNode Value(int i) => i < Count ? _entries[(2 * i) + 1] : throw new ArgumentOutOfRangeException(nameof(i));

    /// <summary>The text of the key at <paramref name="i"/>, or null when that key is not a scalar.</summary>
    public string? KeyText(int i) => (Key(i) as TreeScalar)?.Value;

    public IEnumerable<TreeNode> Keys => Enumerable.Range(0, Count).Select(Key);

    public void Add(TreeNode key, TreeNode value)
    {
        TreeSequence.Append(ref _entries, 2 * Count, key);
        TreeSequence.Append(ref _entries, (2 * Count) + 1, value);
        Count++;
    }
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

    /// <summary>Scalars up to this length are shared through a pool.</summary>
    private const int PooledLength = 64;

    /// <summary>The root node of each document. Throws <see cref="YamlException"/> for malformed YAML.</summary>
    public static List<TreeNode> Parse(string text)
    {
        var documents = new List<TreeNode>();
        var parser = new Parser(new StringReader(text));

        // Keys and short values repeat on every task (name, image, bash …): one shared string each
        // leaves far fewer objects alive, and the garbage collector's work grows with those.
        var pool = new Dictionary<string, string>(StringComparer.Ordinal);
        parser.Consume<StreamStart>();
        while (!parser.TryConsume<StreamEnd>(out _))
        {
            parser.Consume<DocumentStart>();
            if (Read(parser, pool) is not { } root)
            {
                return FromRepresentationModel(text);
            }

            parser.Consume<DocumentEnd>();
            documents.Add(root);
        }

        return documents;
    }

    /// <summary>Reads the node at the parser's position, or null when the document needs the representation model.</summary>
    private static TreeNode? Read(IParser parser, Dictionary<string, string> pool)
    {
        var e = parser.Current!;
        var line = (int)e.Start.Line;
        var column = (int)e.Start.Column;
        switch (e)
        {
            case Scalar s:
                parser.MoveNext();
                return new TreeScalar(Shared(s.Value, pool), s.Style == ScalarStyle.Plain, line, column);
            case SequenceStart:
                parser.MoveNext();
                var sequence = new TreeSequence(line, column);
                while (!parser.TryConsume<SequenceEnd>(out _))
                {
                    if (Read(parser, pool) is not { } item)
                    {
                        return null;
                    }

                    sequence.Add(item);
                }

                return sequence;
            case MappingStart:
                parser.MoveNext();
                var mapping = new TreeMapping(line, column);
                HashSet<string>? keys = null;
                while (!parser.TryConsume<MappingEnd>(out _))
                {
                    if (Read(parser, pool) is not TreeScalar key || !IsNewKey(mapping, key.Value, ref keys) || Read(parser, pool) is not { } value)
                    {
                        return null;
                    }

                    mapping.Add(key, value);
                }

                return mapping;
            default:
                // An alias: only the representation model resolves them as the loader always has.
                return null;
        }
    }

    private static string Shared(string value, Dictionary<string, string> pool)
    {
        if (value.Length > PooledLength)
        {
            return value;
        }

        ref var shared = ref CollectionsMarshal.GetValueRefOrAddDefault(pool, value, out _);
        return shared ??= value;
    }

    private static bool IsNewKey(TreeMapping mapping, string key, ref HashSet<string>? keys)
    {
        if (mapping.Count < ScanLimit)
        {
            for (var i = 0; i < mapping.Count; i++)
            {
                if (string.Equals(((TreeScalar)mapping.Key(i)).Value, key, StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return true;
        }

        if (keys is null)
        {
            keys = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < mapping.Count; i++)
            {
                keys.Add(((TreeScalar)mapping.Key(i)).Value);
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
                    sequence.Add(Convert(item, converted));
                }

                return sequence;
            case YamlMappingNode m:
                var mapping = new TreeMapping(line, column);
                converted[node] = mapping;
                foreach (var (k, v) in m.Children)
                {
                    mapping.Add(Convert(k, converted), Convert(v, converted));
                }

                return mapping;
            default:
                var scalar = (YamlScalarNode)node;
                return converted[node] = new TreeScalar(scalar.Value ?? "", scalar.Style == ScalarStyle.Plain, line, column);
        }
    }
}
