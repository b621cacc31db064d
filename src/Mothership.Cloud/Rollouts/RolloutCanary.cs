using System.Collections.Immutable;
using Mothership.Model.Tekton;

namespace Mothership.Cloud.Rollouts;

/// <summary>
/// <c>rollout.canary</c>: the sites deployed first, in a wave of their own named
/// <see cref="RolloutWave.CanaryName"/> — named (<c>sites</c>, names or globs) or
/// <c>perRegion: N</c> (the first N sites by name of each region). A canary's failure always
/// halts the rollout.
/// </summary>
public sealed record RolloutCanary : Located
{
    /// <summary>Site names or globs (<c>*</c>, <c>?</c>); empty when <see cref="PerRegion"/> is given.</summary>
    public ImmutableArray<string> Sites { get; init; } = [];

    /// <summary>The first this many sites (by name) of each region; null when <see cref="Sites"/> is given.</summary>
    public int? PerRegion { get; init; }
}
