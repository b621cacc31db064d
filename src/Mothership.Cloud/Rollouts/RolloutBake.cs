using Mothership.Model.Tekton;

namespace Mothership.Cloud.Rollouts;

/// <summary>
/// <c>rollout.bake: {duration, pipeline}</c>: a deployed site waits <see cref="Duration"/>, then
/// <see cref="Pipeline"/> (a Pipeline of the site repository) runs against it; the site succeeds
/// when it passes. A failed check halts the rollout.
/// </summary>
public sealed record RolloutBake : Located
{
    /// <summary>How long a deployed site bakes before its check (default zero).</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>A Pipeline's name or its file in the site repository (a relative <c>.yaml</c> path); null: no check, the bake time alone.</summary>
    public string? Pipeline { get; init; }
}
