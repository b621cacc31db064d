using System.Collections.Immutable;

namespace Mothership.Store;

/// <summary>
/// A global rule and rules per pipeline (which replace the global one for that pipeline), and the
/// statuses that tell a finished run's outcome: the store compares statuses, it does not interpret
/// them. A finished run with neither status is kept.
/// </summary>
public sealed record RetentionPolicy
{
    /// <summary>The status of a run that succeeded (the server's is the Succeeded condition's <c>True</c>).</summary>
    public required string SucceededStatus { get; init; }
    /// <summary>The status of a run that failed (the server's is the Succeeded condition's <c>False</c>).</summary>
    public required string FailedStatus { get; init; }
    public RetentionRule Default { get; init; } = new();
    public ImmutableDictionary<string, RetentionRule> Pipelines { get; init; } = ImmutableDictionary<string, RetentionRule>.Empty;

    /// <summary>Handled webhook deliveries, and final CI job results, older than this are deleted (pending ones never are); null keeps them all.</summary>
    public TimeSpan? DeliveryMaxAge { get; init; }
}
