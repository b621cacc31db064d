using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Mothership.Model.Diagnostics;
using Mothership.Model.Tekton;

namespace Mothership.Model.Loading;

/// <summary>
/// Reads one YAML mapping into a record, recording every field's position and reporting type
/// errors and unknown fields (any key that was neither read nor declared ignorable) as diagnostics.
/// </summary>
internal sealed class MapReader
{
    private readonly TreeMapping _node;

    // Which keys some reader asked for, by key position: bits for the first 64 keys (most mappings
    // have a handful; an array per mapping was a good share of a large file's garbage), an array
    // beyond them, allocated on the first one.
    private ulong _seenBits;
    private bool[]? _seen;

    // The positions handed to the record: the keys', list items' and case-insensitive matches'.
    private readonly FieldLocationMap _locations;

    // The path is only needed for messages: built on first use from the parent's.
    private readonly MapReader? _parent;
    private readonly string? _key;
    private readonly int _item;
    private string? _path;

    public MapReader(TreeMapping node, string file, string path, DiagnosticBag diagnostics)
        : this(node, file, diagnostics)
    {
        _path = path;
    }

    private MapReader(TreeMapping node, string file, DiagnosticBag diagnostics, MapReader parent, string key, int item)
        : this(node, file, diagnostics)
    {
        _parent = parent;
        _key = key;
        _item = item;
    }

    private MapReader(TreeMapping node, string file, DiagnosticBag diagnostics)
    {
        _node = node;
        File = file;
        Diagnostics = diagnostics;
        Location = Loc(node);
        _locations = new FieldLocationMap(file, node);
    }

    public string File { get; }

    /// <summary>Where this mapping sits in its document, as <c>spec.tasks[0]</c>, for messages.</summary>
    public string Path => _path ??= _item < 0 ? _parent!.FieldPath(_key!) : $"{_parent!.FieldPath(_key!)}[{_item}]";

    public DiagnosticBag Diagnostics { get; }

    public SourceLocation Location { get; }

    public SourceLocation Loc(TreeNode node) => new(File, node.Line, node.Column);

    public SourceLocation At(string key) => _locations.TryGetValue(key, out var at) ? at : Location;

    /// <summary>The keys written in this mapping, in order.</summary>
    public IEnumerable<string> Keys => _node.Keys.OfType<TreeScalar>().Select(k => k.Value);

    public bool Has(string key) => IndexOf(key) >= 0;

    /// <summary>The position of the scalar key <paramref name="key"/>, or -1. Mappings are small: a scan beats hashing.</summary>
    private int IndexOf(string key)
    {
        for (var i = 0; i < _node.Count; i++)
        {
            if (_node.Key(i) is TreeScalar k && string.Equals(k.Value, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The items of the list at <paramref name="key"/>, without marking it read; null when it is not a list.</summary>
    public IReadOnlyList<TreeNode>? Peek(string key) =>
        IndexOf(key) is var i and >= 0 && _node.Value(i) is TreeSequence s ? [.. s.Items] : null;

    private void MarkSeen(int i)
    {
        if (i < 64)
        {
            _seenBits |= 1UL << i;
        }
        else
        {
            (_seen ??= new bool[_node.Count])[i] = true;
        }
    }

    private bool WasSeen(int i) => i < 64 ? (_seenBits & (1UL << i)) != 0 : _seen is not null && _seen[i];

    private TreeNode? Get(string key)
    {
        if (IndexOf(key) is var i and >= 0)
        {
            MarkSeen(i);
            return _node.Value(i);
        }

        // Kubernetes' decoder matches field names case-insensitively (Tekton's own examples rely
        // on it, e.g. `mountpath`); accept that, remembering the key as read.
        for (i = 0; i < _node.Count; i++)
        {
            if (_node.Key(i) is TreeScalar k && k.Value.Length == key.Length && string.Equals(k.Value, key, StringComparison.OrdinalIgnoreCase))
            {
                MarkSeen(i);
                _locations.AddAlias(key, k);
                return _node.Value(i);
            }
        }

        return null;
    }

    private static bool IsNull(TreeNode node) =>
        node is TreeScalar { IsPlain: true, Value: "" or "~" or "null" };

    private string FieldPath(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    private void TypeError(TreeNode node, string key, string expected) =>
        Diagnostics.Error(Loc(node), $"field '{FieldPath(key)}' must be {expected}, not {Describe(node)}");

    private static string Describe(TreeNode node) => node switch
    {
        TreeMapping => "a mapping",
        TreeSequence => "a list",
        _ => "a scalar",
    };

    // Ignore and Keep take spans: a params array was allocated at every call, for every task and step of a file.

    /// <summary>Marks fields that are valid Tekton/Kubernetes but not interpreted here.</summary>
    public void Ignore(params ReadOnlySpan<string> keys)
    {
        foreach (var k in keys)
        {
            if (IndexOf(k) is var i and >= 0)
            {
                MarkSeen(i);
            }
        }
    }

    /// <summary>Keeps ignorable fields' raw values (for round-tripping), marking them read.</summary>
    public ImmutableDictionary<string, object?> Keep(params ReadOnlySpan<string> keys)
    {
        ImmutableDictionary<string, object?>.Builder? b = null;
        foreach (var k in keys)
        {
            if (Get(k) is { } n)
            {
                b ??= ImmutableDictionary.CreateBuilder<string, object?>(StringComparer.Ordinal);
                b[k] = ToPlain(n);
            }
        }

        return b?.ToImmutable() ?? ImmutableDictionary<string, object?>.Empty;
    }

    /// <summary>Converts a YAML node to plain CLR values (dictionaries, lists, strings).</summary>
    public static object? ToPlain(TreeNode node)
    {
        switch (node)
        {
            case TreeMapping m:
                var map = new Dictionary<string, object?>(m.Count);
                for (var i = 0; i < m.Count; i++)
                {
                    map[m.KeyText(i) ?? ""] = ToPlain(m.Value(i));
                }

                return map;
            case TreeSequence s:
                var list = new List<object?>(s.Count);
                foreach (var item in s.Items)
                {
                    list.Add(ToPlain(item));
                }

                return list;
            case TreeScalar sc:
                return IsNull(sc) ? null : sc.Value;
            default:
                return null;
        }
    }

    /// <summary>Reports every key of this mapping that no reader asked for.</summary>
    public void CheckUnknown()
    {
        for (var i = 0; i < _node.Count; i++)
        {
            if (!WasSeen(i))
            {
                Diagnostics.Error(Loc(_node.Key(i)), $"unknown field '{FieldPath(_node.KeyText(i) ?? "")}'");
            }
        }
    }

    /// <summary>Stamps the record with this mapping's position and its fields' positions.</summary>
    public T Finish<T>(T record)
        where T : Located
    {
        CheckUnknown();
        return record with { Location = Location, FieldLocations = _locations };
    }

    public string? String(string key)
    {
        var n = Get(key);
        if (n is null || IsNull(n))
        {
            return null;
        }

        if (n is TreeScalar s)
        {
            return s.Value;
        }

        TypeError(n, key, "a string");
        return null;
    }

    public string RequiredString(string key)
    {
        var v = String(key);
        if (string.IsNullOrEmpty(v) && !Has(key))
        {
            Diagnostics.Error(Location, $"missing required field '{FieldPath(key)}'");
        }

        return v ?? "";
    }

    public int? Int(string key)
    {
        var n = Get(key);
        if (n is null || IsNull(n))
        {
            return null;
        }

        if (n is TreeScalar s && int.TryParse(s.Value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var i))
        {
            return i;
        }

        TypeError(n, key, "an integer");
        return null;
    }

    public bool Bool(string key)
    {
        var n = Get(key);
        if (n is null || IsNull(n))
        {
            return false;
        }

        if (n is TreeScalar { Value: "true" or "True" or "false" or "False" } s)
        {
            return s.Value is "true" or "True";
        }

        TypeError(n, key, "true or false");
        return false;
    }

    public ImmutableArray<string> Strings(string key)
    {
        var n = Get(key);
        if (n is null || IsNull(n))
        {
            return [];
        }

        if (n is not TreeSequence seq)
        {
            TypeError(n, key, "a list of strings");
            return [];
        }

        var items = new string[seq.Count];
        var kept = 0;
        _locations.AddList(key, seq);
        var i = 0;
        foreach (var item in seq.Items)
        {
            if (item is TreeScalar s)
            {
                items[kept++] = s.Value;
            }
            else
            {
                Diagnostics.Error(Loc(item), $"field '{FieldPath(key)}[{i}]' must be a string, not {Describe(item)}");
            }

            i++;
        }

        return Exactly(items, kept);
    }

    public MapReader? Map(string key)
    {
        var n = Get(key);
        if (n is null || IsNull(n))
        {
            return null;
        }

        if (n is TreeMapping m)
        {
            return new MapReader(m, File, Diagnostics, this, key, -1);
        }

        TypeError(n, key, "a mapping");
        return null;
    }

    public ImmutableArray<T> List<T>(string key, Func<MapReader, T?> read)
        where T : class
    {
        var n = Get(key);
        if (n is null || IsNull(n))
        {
            return [];
        }

        if (n is not TreeSequence seq)
        {
            TypeError(n, key, "a list");
            return [];
        }

        var items = new T[seq.Count];
        var kept = 0;
        _locations.AddList(key, seq);
        var i = 0;
        foreach (var item in seq.Items)
        {
            if (item is TreeMapping m)
            {
                if (read(new MapReader(m, File, Diagnostics, this, key, i)) is { } v)
                {
                    items[kept++] = v;
                }
            }
            else
            {
                Diagnostics.Error(Loc(item), $"field '{FieldPath(key)}[{i}]' must be a mapping, not {Describe(item)}");
            }

            i++;
        }

        return Exactly(items, kept);
    }

    /// <summary>
    /// The first <paramref name="n"/> items as an immutable array, without a copy when that is all
    /// of them (the usual case: a builder cost an object and a second array per list read).
    /// </summary>
    private static ImmutableArray<T> Exactly<T>(T[] items, int n) =>
        n == items.Length ? ImmutableCollectionsMarshal.AsImmutableArray(items) : [.. items.AsSpan(0, n)];

    public ImmutableSortedDictionary<string, string> StringMap(string key)
    {
        var n = Get(key);
        if (n is null || IsNull(n))
        {
            return ImmutableSortedDictionary<string, string>.Empty;
        }

        if (n is not TreeMapping m)
        {
            TypeError(n, key, "a mapping of strings");
            return ImmutableSortedDictionary<string, string>.Empty;
        }

        var b = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < m.Count; i++)
        {
            var name = m.KeyText(i) ?? "";
            var v = m.Value(i);
            if (v is TreeScalar s)
            {
                b[name] = s.Value;
            }
            else
            {
                Diagnostics.Error(Loc(v), $"field '{FieldPath(key)}.{name}' must be a string, not {Describe(v)}");
            }
        }

        return b.ToImmutable();
    }

    /// <summary>A param value: a scalar is a string, a list an array, a mapping an object.</summary>
    public ParamValue? Value(string key)
    {
        var n = Get(key);
        return n is null ? null : ToValue(n, FieldPath(key));
    }

    public ParamValue? ToValue(TreeNode n, string path)
    {
        switch (n)
        {
            case TreeScalar s:
                return ParamValue.Of(IsNull(s) ? "" : s.Value);
            case TreeSequence seq:
                var items = new List<string>();
                foreach (var item in seq.Items)
                {
                    if (item is TreeScalar si)
                    {
                        items.Add(si.Value);
                    }
                    else
                    {
                        Diagnostics.Error(Loc(item), $"field '{path}' must be a list of strings; nested {Describe(item)} is not allowed");
                    }
                }

                return ParamValue.Of(items);
            case TreeMapping m:
                var props = new List<KeyValuePair<string, string>>();
                for (var i = 0; i < m.Count; i++)
                {
                    var v = m.Value(i);
                    if (m.Key(i) is not TreeScalar key)
                    {
                        Diagnostics.Error(Loc(m.Key(i)), $"field '{path}' must be an object with string keys, not {Describe(m.Key(i))}");
                    }
                    else if (v is TreeScalar sv)
                    {
                        props.Add(KeyValuePair.Create(key.Value, sv.Value));
                    }
                    else
                    {
                        Diagnostics.Error(Loc(v), $"field '{path}' must be an object of strings; nested {Describe(v)} is not allowed");
                    }
                }

                return ParamValue.Of(props);
            default:
                return null;
        }
    }
}
