using Mothership.Model.Loading;

namespace Mothership.Ci.Plugins.Size;

/// <summary>
/// <c>plugins.yaml</c>'s <c>size</c> section (Prow's <c>plugins.Size</c>): the changed lines from
/// which a pull request is <c>S</c>, <c>M</c>, <c>L</c>, <c>XL</c> and <c>XXL</c>; below
/// <see cref="S"/> it is <c>XS</c>.
/// </summary>
public sealed record SizeThresholds(int S, int M, int L, int Xl, int Xxl)
{
    /// <summary>Prow's defaults: 10, 30, 100, 500, 1000.</summary>
    public static SizeThresholds Default { get; } = new(10, 30, 100, 500, 1000);

    /// <summary>The label for <paramref name="lines"/> changed lines.</summary>
    public string LabelFor(int lines) =>
        lines < S ? "size/XS"
        : lines < M ? "size/S"
        : lines < L ? "size/M"
        : lines < Xl ? "size/L"
        : lines < Xxl ? "size/XL"
        : "size/XXL";

    /// <summary>Reads the <c>size</c> section; a threshold left out keeps Prow's default.</summary>
    internal static SizeThresholds Read(MapReader root)
    {
        if (root.Map("size") is not { } r)
        {
            return Default;
        }

        var sizes = new SizeThresholds(r.Int("s") ?? Default.S, r.Int("m") ?? Default.M, r.Int("l") ?? Default.L, r.Int("xl") ?? Default.Xl, r.Int("xxl") ?? Default.Xxl);
        if (!(sizes.S <= sizes.M && sizes.M <= sizes.L && sizes.L <= sizes.Xl && sizes.Xl <= sizes.Xxl))
        {
            r.Diagnostics.Error(r.Location, $"size: the thresholds must not decrease from s to xxl (s={sizes.S}, m={sizes.M}, l={sizes.L}, xl={sizes.Xl}, xxl={sizes.Xxl})");
        }

        r.CheckUnknown();
        return sizes;
    }
}
