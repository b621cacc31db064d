using System.Collections.Immutable;

namespace Mothership.Cloud.Rollouts;

/// <summary>
/// A rollout as the store keeps it: every site's progress, the furthest wave started, the
/// approvals given and whether it is paused, halted or aborted. A value: each
/// <see cref="RolloutDecider.Next"/> step returns a new one.
/// </summary>
public sealed record RolloutState
{
    /// <summary>Every site's progress, in the plan's order.</summary>
    public required ImmutableArray<SiteProgress> Sites { get; init; }

    /// <summary>The index of the furthest wave started; -1 before the first.</summary>
    public int Wave { get; init; } = -1;

    /// <summary>Gate id → who approved it.</summary>
    public ImmutableDictionary<string, string> Approvals { get; init; } = ImmutableDictionary<string, string>.Empty;

    public RolloutStatus Status { get; init; } = RolloutStatus.Running;

    public bool Paused { get; init; }

    public bool Aborted { get; init; }

    /// <summary>Why the rollout halted; null while it is not halted.</summary>
    public string? HaltMessage { get; init; }

    /// <summary>True once <see cref="RolloutAction.Complete"/> was given.</summary>
    public bool Done { get; init; }

    /// <summary>A rollout of <paramref name="plan"/> where nothing has happened: every site pending.</summary>
    public static RolloutState Start(RolloutPlan plan) => new()
    {
        Sites = [.. plan.Waves.SelectMany(w => w.Sites.Select(s => new SiteProgress { Site = s, Wave = w.Index }))],
    };

    /// <summary>The site's progress.</summary>
    public SiteProgress this[string site] => Sites.FirstOrDefault(s => s.Site == site) ?? throw new KeyNotFoundException($"no site '{site}' in the rollout");

    /// <summary>How many sites are in <paramref name="state"/>.</summary>
    public int Count(SiteRolloutState state) => Sites.Count(s => s.State == state);
}
