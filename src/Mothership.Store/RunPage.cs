namespace Mothership.Store;

/// <summary>A page of runs; <see cref="NextCursor"/> is null on the last page.</summary>
public sealed record RunPage(IReadOnlyList<RunSummary> Items, string? NextCursor);
