using System.Collections.Immutable;
using Mothership.Model.Loading;

namespace Mothership.Ci.Plugins.Label;

/// <summary><c>plugins.yaml</c>'s <c>label</c> section (Prow's <c>plugins.Label</c>).</summary>
public sealed record LabelOptions
{
    /// <summary>No section: only the built-in prefixes.</summary>
    public static LabelOptions Default { get; } = new();

    /// <summary>Labels <c>/label X</c> and <c>/remove-label X</c> may apply, beyond the built-in prefixes.</summary>
    public ImmutableArray<string> AdditionalLabels { get; init; } = [];

    /// <summary>Reads the <c>label</c> section; problems go to the reader's diagnostics.</summary>
    internal static LabelOptions Read(MapReader root)
    {
        if (root.Map("label") is not { } r)
        {
            return Default;
        }

        var options = new LabelOptions { AdditionalLabels = r.Strings("additional_labels") };
        if (r.Has("restricted_labels"))
        {
            r.Diagnostics.Warning(r.At("restricted_labels"), "label.restricted_labels is accepted but not applied: Mothership does not restrict labels to teams or users");
            r.Ignore("restricted_labels");
        }

        r.CheckUnknown();
        return options;
    }
}
