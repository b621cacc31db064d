namespace Mothership.Ci.Promotion;

/// <summary>A wave of a <see cref="RolloutRequest"/>: its sites, and its gate when it has one.</summary>
/// <param name="Name">The wave's name (<c>canary</c>, <c>wave-1</c>).</param>
/// <param name="Sites">Its sites, in order.</param>
/// <param name="Gate">Its gate's id (<c>before-wave-1</c>); null when the wave starts without approval.</param>
/// <param name="Approvers">The roles whose holders may approve the gate.</param>
/// <param name="ApprovedBy">Who approved the gate; null until someone did.</param>
/// <param name="Waiting">Whether the gate waits for approval now.</param>
public sealed record RolloutRequestWave(string Name, IReadOnlyList<string> Sites, string? Gate, IReadOnlyList<string> Approvers, string? ApprovedBy, bool Waiting);
