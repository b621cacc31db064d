using System.Collections.Immutable;
using Mothership.Model.Tekton;

namespace Mothership.Cloud.Rollouts;

/// <summary>One explicit wave of <c>rollout.waves</c>: <c>{sites: [NAME|GLOB…]}</c>.</summary>
public sealed record RolloutWaveSelector : Located
{
    /// <summary>Site names or globs (<c>*</c> any characters, <c>?</c> one).</summary>
    public ImmutableArray<string> Sites { get; init; } = [];
}
