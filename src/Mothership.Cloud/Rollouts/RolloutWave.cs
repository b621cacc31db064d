using System.Collections.Immutable;

namespace Mothership.Cloud.Rollouts;

/// <summary>One wave of a <see cref="RolloutPlan"/>: sites that may deploy together once the waves before it finished.</summary>
public sealed record RolloutWave
{
    /// <summary>The name of the canary wave, the first when the policy has one.</summary>
    public const string CanaryName = "canary";

    /// <summary>The name of the <paramref name="number"/>th wave after the canary (from 1).</summary>
    public static string Numbered(int number) => $"wave-{number}";

    /// <summary>Position in the plan, from 0.</summary>
    public required int Index { get; init; }

    /// <summary><c>canary</c>, <c>wave-1</c>, <c>wave-2</c>, …</summary>
    public required string Name { get; init; }

    /// <summary>The region of a <c>by: region</c> wave; null otherwise.</summary>
    public string? Region { get; init; }

    /// <summary>Its sites, in the order they start.</summary>
    public required ImmutableArray<string> Sites { get; init; }

    /// <summary>The approval needed before it starts; null: none.</summary>
    public RolloutGate? Gate { get; init; }

    /// <summary>The key an approval of <see cref="Gate"/> names: <c>before-&lt;wave&gt;</c>.</summary>
    public string GateId => GateIdOf(Name);

    /// <summary>The id of the gate before the wave named <paramref name="wave"/>: <c>before-&lt;wave&gt;</c>.</summary>
    public static string GateIdOf(string wave) => $"before-{wave}";

    public bool IsCanary => Name == CanaryName;
}
