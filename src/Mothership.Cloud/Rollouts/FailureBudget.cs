using Mothership.Model.Tekton;

namespace Mothership.Cloud.Rollouts;

/// <summary><c>rollout.failureBudget</c>: a count (<c>3</c>) or a share of the rollout's sites (<c>2%</c>, rounded down).</summary>
public sealed record FailureBudget : Located
{
    /// <summary>The failures tolerated; null when <see cref="Percent"/> is given.</summary>
    public int? Count { get; init; }

    /// <summary>The share of the sites that may fail, 0 to 100; null when <see cref="Count"/> is given.</summary>
    public decimal? Percent { get; init; }

    /// <summary>The failures tolerated among <paramref name="sites"/> sites.</summary>
    public int Allowed(int sites) => Count ?? (int)Math.Floor(sites * (Percent ?? 0) / 100m);

    /// <inheritdoc/>
    public override string ToString() => Count is { } c ? c.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{Percent?.ToString(System.Globalization.CultureInfo.InvariantCulture)}%";
}
