using System.Collections.Immutable;

namespace Mothership.Store;

/// <summary>A global rule and rules per pipeline (which replace the global one for that pipeline).</summary>
public sealed record RetentionPolicy
{
    public RetentionRule Default { get; init; } = new();
    public ImmutableDictionary<string, RetentionRule> Pipelines { get; init; } = ImmutableDictionary<string, RetentionRule>.Empty;
}
