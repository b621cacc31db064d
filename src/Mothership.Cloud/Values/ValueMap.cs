using System.Collections.Immutable;
using Mothership.Model.Diagnostics;

namespace Mothership.Cloud.Values;

/// <summary>A map in written order; a later layer merges into it key by key.</summary>
public sealed record ValueMap(ImmutableArray<KeyValuePair<string, ValueNode>> Entries, SourceLocation Source) : ValueNode(Source)
{
    public static ValueMap Empty { get; } = new([], SourceLocation.None);

    public ValueNode? this[string key] => Entries.FirstOrDefault(e => e.Key == key).Value;

    /// <summary>Deep merge, Helm's way: maps merge key by key, anything else in <paramref name="upper"/> replaces.</summary>
    public static ValueNode Merge(ValueNode? lower, ValueNode upper)
    {
        if (lower is not ValueMap l || upper is not ValueMap u)
        {
            return upper;
        }

        var entries = l.Entries.ToList();
        foreach (var (key, value) in u.Entries)
        {
            var at = entries.FindIndex(e => e.Key == key);
            if (at < 0)
            {
                entries.Add(KeyValuePair.Create(key, value));
            }
            else
            {
                entries[at] = KeyValuePair.Create(key, Merge(entries[at].Value, value));
            }
        }

        return new ValueMap([.. entries], u.Source);
    }
}
