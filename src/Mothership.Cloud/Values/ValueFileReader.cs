using System.Collections.Immutable;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;

namespace Mothership.Cloud.Values;

/// <summary>Reads a values file into a <see cref="ValueMap"/>, keeping each value's line.</summary>
public static class ValueFileReader
{
    /// <summary>The file's values; an empty file is an empty map; null (with a diagnostic) when it is not a YAML mapping.</summary>
    public static ValueMap? Read(string file, string text, DiagnosticBag diagnostics)
    {
        if (ResourceLoader.ParseYaml(file, text, diagnostics) is not { } documents)
        {
            return null;
        }

        var roots = documents.Where(d => d is not TreeScalar { Value: "" }).ToList();
        if (roots.Count == 0)
        {
            return ValueMap.Empty;
        }

        if (roots.Count > 1 || roots[0] is not TreeMapping mapping)
        {
            var first = roots.Count > 1 ? roots[1] : roots[0];
            diagnostics.Error(new SourceLocation(file, first.Line, first.Column), "a values file must be one YAML mapping (as helm -f reads it)");
            return null;
        }

        return (ValueMap)Convert(mapping, file, diagnostics);
    }

    private static ValueNode Convert(TreeNode node, string file, DiagnosticBag diagnostics)
    {
        var at = new SourceLocation(file, node.Line, node.Column);
        switch (node)
        {
            case TreeMapping m:
                var entries = ImmutableArray.CreateBuilder<KeyValuePair<string, ValueNode>>(m.Count);
                for (var i = 0; i < m.Count; i++)
                {
                    if (m.KeyText(i) is not { } key)
                    {
                        diagnostics.Error(new SourceLocation(file, m.Key(i).Line, m.Key(i).Column), "a values key must be a scalar");
                        continue;
                    }

                    entries.Add(KeyValuePair.Create(key, Convert(m.Value(i), file, diagnostics)));
                }

                return new ValueMap(entries.ToImmutable(), at);
            case TreeSequence s:
                var items = ImmutableArray.CreateBuilder<ValueNode>(s.Count);
                foreach (var item in s.Items)
                {
                    items.Add(Convert(item, file, diagnostics));
                }

                return new ValueList(items.MoveToImmutable(), at);
            default:
                var scalar = (TreeScalar)node;
                return new ValueScalar(scalar.Value, scalar.IsPlain, at);
        }
    }
}
