using System.Collections.Immutable;
using Mothership.Model.Tekton;

namespace Mothership.Cloud.Rollouts;

/// <summary>
/// <c>rollout.waves</c>: <c>{by: region, order: [kr, us]}</c> (one wave per region, the regions of
/// <see cref="RegionOrder"/> first, the others by name) or a list of <c>{sites: [NAME|GLOB…]}</c>
/// (a site goes to the first list that matches it; sites no list matches form one last wave).
/// Absent: one wave of every site that is not a canary.
/// </summary>
public sealed record RolloutWaves : Located
{
    /// <summary>True for <c>by: region</c>.</summary>
    public bool ByRegion { get; init; }

    /// <summary>With <see cref="ByRegion"/>: the regions that go first, in this order.</summary>
    public ImmutableArray<string> RegionOrder { get; init; } = [];

    /// <summary>Explicit waves, in order: each a list of site names or globs.</summary>
    public ImmutableArray<RolloutWaveSelector> Lists { get; init; } = [];
}
