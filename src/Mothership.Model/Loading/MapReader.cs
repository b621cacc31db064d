using System.Collections.Immutable;
using Mothership.Model.Diagnostics;
using Mothership.Model.Tekton;
using YamlDotNet.RepresentationModel;

namespace Mothership.Model.Loading;

/// <summary>
/// Reads one YAML mapping into a record, recording every field's position and reporting type
/// errors and unknown fields (any key that was neither read nor declared ignorable) as diagnostics.
/// </summary>
internal sealed class MapReader
{
    private readonly YamlMappingNode _node;
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SourceLocation> _locations = new(StringComparer.Ordinal);

    // Values by key text: looking up through YamlDotNet's node dictionary would allocate a
    // YamlScalarNode per lookup, and most lookups are of optional fields that are absent.
    private readonly Dictionary<string, YamlNode> _values = new(StringComparer.Ordinal);

    public MapReader(YamlMappingNode node, string file, string path, DiagnosticBag diagnostics)
    {
        _node = node;
        File = file;
        Path = path;
        Diagnostics = diagnostics;
        Location = Loc(node);
        foreach (var (key, value) in node.Children)
        {
            if (key is YamlScalarNode { Value: { } k })
            {
                _locations[k] = Loc(key);
                _values[k] = value;
            }
        }
    }

    public string File { get; }

    /// <summary>Where this mapping sits in its document, as <c>spec.tasks[0]</c>, for messages.</summary>
    public string Path { get; }

    public DiagnosticBag Diagnostics { get; }

    public SourceLocation Location { get; }

    public SourceLocation Loc(YamlNode node) => new(File, (int)node.Start.Line, (int)node.Start.Column);

    public SourceLocation At(string key) => _locations.GetValueOrDefault(key, Location);

    /// <summary>The keys written in this mapping, in order.</summary>
    public IEnumerable<string> Keys => _node.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? "");

    public bool Has(string key) => _values.ContainsKey(key);

    private YamlNode? Get(string key)
    {
        _seen.Add(key);
        if (_values.TryGetValue(key, out var v))
        {
            return v;
        }

        // Kubernetes' decoder matches field names case-insensitively (Tekton's own examples rely
        // on it, e.g. `mountpath`); accept that, remembering the key as read.
        // A plain loop: mappings are small, and most lookups miss (optional fields).
        foreach (var (name, value) in _values)
        {
            if (name.Length == key.Length && string.Equals(name, key, StringComparison.OrdinalIgnoreCase))
            {
                _seen.Add(name);
                _locations[key] = _locations[name];
                return value;
            }
        }

        return null;
    }

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode s && s.Style == YamlDotNet.Core.ScalarStyle.Plain && (s.Value is null or "" or "~" or "null");

    private string FieldPath(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    private void TypeError(YamlNode node, string key, string expected) =>
        Diagnostics.Error(Loc(node), $"field '{FieldPath(key)}' must be {expected}, not {Describe(node)}");

    private static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        _ => "a scalar",
    };

    /// <summary>Marks fields that are valid Tekton/Kubernetes but not interpreted here.</summary>
    public void Ignore(params string[] keys)
    {
        foreach (var k in keys)
        {
            _seen.Add(k);
        }
    }

    /// <summary>Keeps ignorable fields' raw values (for round-tripping), marking them read.</summary>
    public ImmutableDictionary<string, object?> Keep(params string[] keys)
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
    public static object? ToPlain(YamlNode node) => node switch
    {
        YamlMappingNode m => m.Children.ToDictionary(kv => ((YamlScalarNode)kv.Key).Value ?? "", kv => ToPlain(kv.Value)),
        YamlSequenceNode s => s.Children.Select(ToPlain).ToList(),
        YamlScalarNode sc when IsNull(sc) => null,
        YamlScalarNode sc => sc.Value,
        _ => null,
    };

    /// <summary>Reports every key of this mapping that no reader asked for.</summary>
    public void CheckUnknown()
    {
        foreach (var (key, _) in _node.Children)
        {
            var k = (key as YamlScalarNode)?.Value ?? "";
            if (!_seen.Contains(k))
            {
                Diagnostics.Error(Loc(key), $"unknown field '{FieldPath(k)}'");
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

        if (n is YamlScalarNode s)
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

        if (n is YamlScalarNode s && int.TryParse(s.Value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var i))
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

        if (n is YamlScalarNode { Value: "true" or "True" or "false" or "False" } s)
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

        if (n is not YamlSequenceNode seq)
        {
            TypeError(n, key, "a list of strings");
            return [];
        }

        var b = ImmutableArray.CreateBuilder<string>();
        var i = 0;
        foreach (var item in seq.Children)
        {
            _locations[$"{key}[{i}]"] = Loc(item);
            if (item is YamlScalarNode s)
            {
                b.Add(s.Value ?? "");
            }
            else
            {
                Diagnostics.Error(Loc(item), $"field '{FieldPath(key)}[{i}]' must be a string, not {Describe(item)}");
            }

            i++;
        }

        return b.ToImmutable();
    }

    public MapReader? Map(string key)
    {
        var n = Get(key);
        if (n is null || IsNull(n))
        {
            return null;
        }

        if (n is YamlMappingNode m)
        {
            return new MapReader(m, File, FieldPath(key), Diagnostics);
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

        if (n is not YamlSequenceNode seq)
        {
            TypeError(n, key, "a list");
            return [];
        }

        var b = ImmutableArray.CreateBuilder<T>();
        var i = 0;
        foreach (var item in seq.Children)
        {
            _locations[$"{key}[{i}]"] = Loc(item);
            if (item is YamlMappingNode m)
            {
                if (read(new MapReader(m, File, $"{FieldPath(key)}[{i}]", Diagnostics)) is { } v)
                {
                    b.Add(v);
                }
            }
            else
            {
                Diagnostics.Error(Loc(item), $"field '{FieldPath(key)}[{i}]' must be a mapping, not {Describe(item)}");
            }

            i++;
        }

        return b.ToImmutable();
    }

    public ImmutableSortedDictionary<string, string> StringMap(string key)
    {
        var n = Get(key);
        if (n is null || IsNull(n))
        {
            return ImmutableSortedDictionary<string, string>.Empty;
        }

        if (n is not YamlMappingNode m)
        {
            TypeError(n, key, "a mapping of strings");
            return ImmutableSortedDictionary<string, string>.Empty;
        }

        var b = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in m.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? "";
            if (v is YamlScalarNode s)
            {
                b[name] = s.Value ?? "";
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

    public ParamValue? ToValue(YamlNode n, string path)
    {
        switch (n)
        {
            case YamlScalarNode s:
                return ParamValue.Of(IsNull(s) ? "" : s.Value ?? "");
            case YamlSequenceNode seq:
                var items = new List<string>();
                foreach (var item in seq.Children)
                {
                    if (item is YamlScalarNode si)
                    {
                        items.Add(si.Value ?? "");
                    }
                    else
                    {
                        Diagnostics.Error(Loc(item), $"field '{path}' must be a list of strings; nested {Describe(item)} is not allowed");
                    }
                }

                return ParamValue.Of(items);
            case YamlMappingNode m:
                var props = new List<KeyValuePair<string, string>>();
                foreach (var (k, v) in m.Children)
                {
                    if (v is YamlScalarNode sv)
                    {
                        props.Add(KeyValuePair.Create(((YamlScalarNode)k).Value ?? "", sv.Value ?? ""));
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
