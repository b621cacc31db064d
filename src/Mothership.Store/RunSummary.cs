using System.Collections.Immutable;

namespace Mothership.Store;

/// <summary>A run without its manifest and object, as lists return it.</summary>
public sealed record RunSummary
{
    public required string Uid { get; init; }
    public required string Kind { get; init; }
    public required string Name { get; init; }
    public string Pipeline { get; init; } = "";
    public ImmutableSortedDictionary<string, string> Labels { get; init; } = ImmutableSortedDictionary<string, string>.Empty;
    public required RunPhase Phase { get; init; }
    public required string Status { get; init; }
    public string Reason { get; init; } = "";
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
}
