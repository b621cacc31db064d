namespace Mothership.Cloud.Drift;

/// <summary>
/// One differing value, by its dotted path (<c>conf.nova.DEFAULT.debug</c>, list items as
/// <c>[i]</c>). <see cref="Desired"/> and <see cref="Deployed"/> are JSON texts (null when absent);
/// under a key that looks secret (<see cref="Values.SecretValueKeys"/>) both are masked.
/// </summary>
public sealed record ValueDifference(string Path, DifferenceKind Kind, string? Desired, string? Deployed);
