using System.Runtime.InteropServices;
using Mothership.Model.Limits;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Mothership.Model.Loading;

/// <summary>A node of a YAML document as the loader reads it: a value and where it starts.</summary>
internal abstract class TreeNode
{
    // The column's top bit is a flag for the subclass (a scalar's IsPlain): a large file's tree
    // holds a scalar per key and value until its records are gone, and the flag in a field of its
    // own made each one 40 bytes instead of 32.
    private readonly int _column;

    protected TreeNode(int line, int column, bool flag = false)
    {
        Line = line;
        _column = flag ? column | int.MinValue : column;
    }

    public int Line { get; }

    public int Column => _column & int.MaxValue;

    protected bool Flag => _column < 0;
}

/// <summary>A scalar; <see cref="IsPlain"/> distinguishes <c>null</c> from <c>"null"</c>.</summary>
internal sealed class TreeScalar(string value, bool isPlain, int line, int column) : TreeNode(line, column, isPlain)
{
    public string Value { get; } = value;

    public bool IsPlain => Flag;
}

internal sealed class TreeSequence(int line, int column) : TreeNode(line, column)
{
    private TreeNode[] _items = [];

    /// <summary>A sequence of <paramref name="items"/>, which it keeps (a reader that knows them all at once).</summary>
    public TreeSequence(int line, int column, TreeNode[] items)
        : this(line, column)
    {
        _items = items;
        Count = items.Length;
    }

    public int Count { get; private set; }

    /// <summary>The items, as a span: an enumerator object per list read was a good share of a large file's garbage.</summary>
    public ReadOnlySpan<TreeNode> Items => _items.AsSpan(0, Count);

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

    /// <summary>A mapping of <paramref name="entries"/>, keys and values alternating, which it keeps.</summary>
    public TreeMapping(int line, int column, TreeNode[] entries)
        : this(line, column)
    {
        _entries = entries;
        Count = entries.Length / 2;
    }

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
/// parse itself on large pipelines, and it recursed once per level of nesting, so a deeply
/// nested file overflowed the stack. This reader keeps its own stack of open collections and
/// enforces <see cref="InputLimits"/> as it goes: nesting depth, node count, value length, and
/// what aliases expand to. An alias shares its anchor's node (readers see a tree whose shared
/// parts they may walk several times, which the alias limit bounds); an alias must follow its
/// anchor and cannot sit inside the node it names, so the tree has no cycle.
/// </summary>
internal static class YamlTree
{
    /// <summary>Small mappings check keys for duplicates by a scan; larger ones with a set.</summary>
    private const int ScanLimit = 8;

    /// <summary>Scalars up to this length are shared through a pool.</summary>
    private const int PooledLength = 64;

    /// <summary>The root node of each document, within <see cref="InputLimits.Default"/>.</summary>
    public static List<TreeNode> Parse(string text) => Parse(text, InputLimits.Default);

    /// <summary>
    /// The root node of each document. Throws <see cref="YamlException"/> for malformed YAML and
    /// <see cref="YamlLimitException"/> for YAML beyond <paramref name="limits"/>.
    /// </summary>
    public static List<TreeNode> Parse(string text, InputLimits limits)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(limits);
        return (ScannerEnabled ? BlockYamlScanner.TryParse(text, limits) : null) ?? ParseEvents(text, limits);
    }

    /// <summary>
    /// Whether <see cref="Parse(string, InputLimits)"/> tries <see cref="BlockYamlScanner"/> first:
    /// always, except in the plan benchmark's A/B run (<c>--reader events</c>).
    /// </summary>
    internal static bool ScannerEnabled { get; set; } = true;

    /// <summary>
    /// <see cref="Parse(string, InputLimits)"/> through YamlDotNet's parser events alone: any YAML,
    /// every error worded (the tests compare <see cref="BlockYamlScanner"/> with it).
    /// </summary>
    internal static List<TreeNode> ParseEvents(string text, InputLimits limits)
    {
        var documents = new List<TreeNode>();
        var parser = new Parser(new StringReader(text));

        // Keys and short values repeat on every task (name, image, bash …): one shared string each
        // leaves far fewer objects alive, and the garbage collector's work grows with those.
        var pool = new Dictionary<string, string>(StringComparer.Ordinal);
        var budget = new Budget(limits);
        try
        {
            parser.Consume<StreamStart>();
            while (!parser.TryConsume<StreamEnd>(out _))
            {
                parser.Consume<DocumentStart>();
                documents.Add(ReadDocument(parser, pool, budget));
                parser.Consume<DocumentEnd>();
            }
        }
        catch (ArgumentException e) when (e.Source == "YamlDotNet")
        {
            // YamlDotNet's parser throws this (not a YamlException) for a tag it cannot read, such
            // as "!!]x"; the fault is just after the last event it read.
            var at = parser.Current?.End ?? Mark.Empty;
            var message = e.ParamName is { } name ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;
            throw new YamlException(at, at, message);
        }

        return documents;
    }

    /// <summary>A collection being read: its node, its anchor, and the nodes it holds so far with aliases expanded.</summary>
    private sealed class Frame(TreeNode node, string? anchor)
    {
        public TreeNode Node { get; } = node;

        public string? Anchor { get; } = anchor;

        public long Size { get; set; } = 1;

        /// <summary>In a mapping: the key read, waiting for its value.</summary>
        public TreeNode? PendingKey { get; set; }

        /// <summary>A large mapping's keys, for the duplicate check (a field: it is passed by reference).</summary>
        public HashSet<string>? Keys;
    }

    /// <summary>What an anchor names: a finished node and its expanded size, or a collection still open.</summary>
    private readonly record struct Anchored(TreeNode Node, long Size, Frame? Open);

    /// <summary>The counts <see cref="InputLimits"/> bound, over one whole text.</summary>
    private sealed class Budget(InputLimits limits)
    {
        private long _nodes;
        private long _aliasNodes;

        public InputLimits Limits { get; } = limits;

        public void Node(in Mark at)
        {
            if (++_nodes > Limits.MaxYamlNodes)
            {
                throw TooManyNodes(at);
            }
        }

        public void Alias(long size, in Mark at)
        {
            _nodes += size;
            _aliasNodes += size;
            if (_aliasNodes > Limits.MaxYamlAliasNodes)
            {
                throw new YamlLimitException(at,
                    $"aliases expand to more than {Limits.MaxYamlAliasNodes} nodes in this file: Mothership expands at most {Limits.MaxYamlAliasNodes} (each use of an alias counts the nodes it repeats); write the repeated parts out or use fewer aliases");
            }

            if (_nodes > Limits.MaxYamlNodes)
            {
                throw TooManyNodes(at);
            }
        }

        private YamlLimitException TooManyNodes(in Mark at) => new(at,
            $"the file holds more than {Limits.MaxYamlNodes} YAML nodes (values, mappings and lists, aliases counted as what they repeat): Mothership reads at most {Limits.MaxYamlNodes} per file or request; split it");
    }

    /// <summary>Reads one document's root node from the parser's position, without recursion.</summary>
    private static TreeNode ReadDocument(IParser parser, Dictionary<string, string> pool, Budget budget)
    {
        var limits = budget.Limits;
        var anchors = new Dictionary<string, Anchored>(StringComparer.Ordinal);
        var open = new Stack<Frame>();
        while (true)
        {
            var e = parser.Current ?? throw new YamlException("unexpected end of the YAML stream");
            var line = (int)e.Start.Line;
            var column = (int)e.Start.Column;
            TreeNode done;
            long size;
            switch (e)
            {
                case Scalar s:
                    budget.Node(e.Start);
                    if (s.Value.Length > limits.MaxYamlScalarLength)
                    {
                        throw new YamlLimitException(e.Start,
                            $"this value is {s.Value.Length} characters long: Mothership reads values of at most {limits.MaxYamlScalarLength} characters");
                    }

                    done = new TreeScalar(Shared(s.Value, pool), s.Style == ScalarStyle.Plain, line, column);
                    size = 1;
                    if (!s.Anchor.IsEmpty)
                    {
                        anchors[s.Anchor.Value] = new Anchored(done, 1, null);
                    }

                    break;
                case SequenceStart or MappingStart:
                    budget.Node(e.Start);
                    if (open.Count >= limits.MaxYamlDepth)
                    {
                        throw new YamlLimitException(e.Start,
                            $"the YAML nests more than {limits.MaxYamlDepth} levels of mappings and lists deep here: Mothership reads at most {limits.MaxYamlDepth} (Tekton's deepest fields need about 15)");
                    }

                    var anchor = ((NodeEvent)e).Anchor;
                    var frame = new Frame(e is SequenceStart ? new TreeSequence(line, column) : new TreeMapping(line, column), anchor.IsEmpty ? null : anchor.Value);
                    if (frame.Anchor is { } name)
                    {
                        anchors[name] = new Anchored(frame.Node, 0, frame);
                    }

                    open.Push(frame);
                    parser.MoveNext();
                    continue;
                case SequenceEnd or MappingEnd:
                    var closed = open.Pop();
                    done = closed.Node;
                    size = closed.Size;
                    if (closed.Anchor is { } closedName && anchors.TryGetValue(closedName, out var current) && current.Open == closed)
                    {
                        anchors[closedName] = new Anchored(done, size, null);
                    }

                    break;
                case AnchorAlias a:
                    if (!anchors.TryGetValue(a.Value.Value, out var target))
                    {
                        throw new YamlException(a.Start, a.End, $"alias *{a.Value.Value} names no anchor written before it: define &{a.Value.Value} first");
                    }

                    if (target.Open is not null)
                    {
                        throw new YamlException(a.Start, a.End, $"alias *{a.Value.Value} is inside the node its anchor &{a.Value.Value} names: a value cannot contain itself");
                    }

                    budget.Alias(target.Size, e.Start);
                    done = target.Node;
                    size = target.Size;
                    break;
                default:
                    throw new YamlException(e.Start, e.End, $"unexpected {e.GetType().Name} in a YAML document");
            }

            var last = e;
            parser.MoveNext();
            if (open.Count == 0)
            {
                return done;
            }

            var parent = open.Peek();
            parent.Size += size;
            switch (parent.Node)
            {
                case TreeSequence sequence:
                    sequence.Add(done);
                    break;
                case TreeMapping mapping when parent.PendingKey is null:
                    if (done is TreeScalar k && !IsNewKey(mapping, k.Value, ref parent.Keys))
                    {
                        // YamlDotNet's own words for it, which the loader has always reported.
                        throw new YamlException(last.Start, last.End, $"Duplicate key {k.Value}");
                    }

                    parent.PendingKey = done;
                    break;
                case TreeMapping mapping:
                    mapping.Add(parent.PendingKey, done);
                    parent.PendingKey = null;
                    break;
            }
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
                if (string.Equals(mapping.KeyText(i), key, StringComparison.Ordinal))
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
                if (mapping.KeyText(i) is { } text)
                {
                    keys.Add(text);
                }
            }
        }

        return keys.Add(key);
    }
}
