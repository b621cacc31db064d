namespace Mothership.Store;

/// <summary>An applied Task or Pipeline: its YAML as submitted (one document).</summary>
public sealed record StoredResource
{
    public required string Kind { get; init; }
    public required string Name { get; init; }
    public required string Document { get; init; }
    /// <summary>Starts at 1, grows by one with every change.</summary>
    public long Generation { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}
