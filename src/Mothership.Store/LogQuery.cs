namespace Mothership.Store;

/// <summary>Which logs to read.</summary>
public sealed record LogQuery
{
    public required string Uid { get; init; }
    public string? TaskRun { get; init; }
    public string? Container { get; init; }
    public long AfterId { get; init; }
    /// <summary>Default 1000 chunks.</summary>
    public int Limit { get; init; } = 1000;
}
