using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Mothership.Model.Diagnostics;

namespace Mothership.Model.Loading;

/// <summary>
/// A record's field positions (<see cref="Tekton.Located.FieldLocations"/>), read from the YAML
/// tree when asked rather than copied into a dictionary per record: validation asks for a few of
/// them, and on large pipelines the copies were a good part of what loading allocated.
/// Holds the keys of one mapping, the list fields read from it (<c>field[i]</c>) and the fields
/// found case-insensitively. Filled while its mapping is read, then never changed.
/// </summary>
internal sealed class FieldLocationMap(string file, TreeMapping node) : IReadOnlyDictionary<string, SourceLocation>
{
    // A mapping reads one to three lists (a task: runAfter, params; a step: command, args): an
    // array grown by hand, not a List and its array, of which large files allocated one per mapping.
    private (string Field, TreeSequence Items)[]? _lists;
    private int _listCount;
    private List<(string Field, TreeNode Key)>? _aliases;

    /// <summary>Records that the items of <paramref name="items"/> are at <c>field[i]</c>.</summary>
    public void AddList(string field, TreeSequence items)
    {
        if (_lists is null || _listCount == _lists.Length)
        {
            Array.Resize(ref _lists, Math.Max(2, _listCount * 2));
        }

        _lists[_listCount++] = (field, items);
    }

    private ReadOnlySpan<(string Field, TreeSequence Items)> Lists => _lists.AsSpan(0, _listCount);

    /// <summary>Records that <paramref name="field"/> is written as <paramref name="key"/> (another case).</summary>
    public void AddAlias(string field, TreeNode key) => (_aliases ??= []).Add((field, key));

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out SourceLocation value)
    {
        if (Find(key) is { } at)
        {
            value = new SourceLocation(file, at.Line, at.Column);
            return true;
        }

        value = null;
        return false;
    }

    /// <summary>The node <paramref name="key"/> locates; the latest record wins, as in a dictionary.</summary>
    private TreeNode? Find(string key)
    {
        if (_lists is not null && key.EndsWith(']') && key.IndexOf('[', StringComparison.Ordinal) is var open and > 0 &&
            (key.Length - open == 3 || key[open + 1] != '0') &&
            int.TryParse(key.AsSpan(open + 1, key.Length - open - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            var field = key.AsSpan(0, open);
            for (var i = _listCount - 1; i >= 0; i--)
            {
                var (name, items) = _lists[i];
                if (field.SequenceEqual(name) && index < items.Count)
                {
                    return items.Item(index);
                }
            }
        }

        if (_aliases is not null)
        {
            for (var i = _aliases.Count - 1; i >= 0; i--)
            {
                if (string.Equals(_aliases[i].Field, key, StringComparison.Ordinal))
                {
                    return _aliases[i].Key;
                }
            }
        }

        for (var i = 0; i < node.Count; i++)
        {
            if (node.Key(i) is TreeScalar k && string.Equals(k.Value, key, StringComparison.Ordinal))
            {
                return k;
            }
        }

        return null;
    }

    public bool ContainsKey(string key) => Find(key) is not null;

    public SourceLocation this[string key] => TryGetValue(key, out var at) ? at : throw new KeyNotFoundException(key);

    public int Count => Materialize().Count;

    public IEnumerable<string> Keys => Materialize().Keys;

    public IEnumerable<SourceLocation> Values => Materialize().Values;

    public IEnumerator<KeyValuePair<string, SourceLocation>> GetEnumerator() => Materialize().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Every position as a dictionary, for the rare caller that enumerates.</summary>
    private Dictionary<string, SourceLocation> Materialize()
    {
        var all = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
        for (var i = 0; i < node.Count; i++)
        {
            if (node.Key(i) is TreeScalar k)
            {
                all[k.Value] = new SourceLocation(file, k.Line, k.Column);
            }
        }

        foreach (var (field, items) in Lists)
        {
            for (var i = 0; i < items.Count; i++)
            {
                var item = items.Item(i);
                all[$"{field}[{i}]"] = new SourceLocation(file, item.Line, item.Column);
            }
        }

        foreach (var (field, key) in _aliases ?? [])
        {
            all[field] = new SourceLocation(file, key.Line, key.Column);
        }

        return all;
    }
}
