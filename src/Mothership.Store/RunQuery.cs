using System.Collections.Immutable;

namespace Mothership.Store;

/// <summary>Filters and page of <see cref="IRunStore.ListRunsAsync"/>; every filter is optional.</summary>
public sealed record RunQuery
{
    public string? Kind { get; init; }
    public string? Pipeline { get; init; }
    public RunPhase? Phase { get; init; }
    /// <summary>Runs whose reason is one of these.</summary>
    public ImmutableArray<string> Reasons { get; init; } = [];
    public ImmutableArray<LabelRequirement> Labels { get; init; } = [];
    /// <summary>Created at or after.</summary>
    public DateTimeOffset? Since { get; init; }
    /// <summary>Created before.</summary>
    public DateTimeOffset? Until { get; init; }
    /// <summary>1 to 500. Default 50.</summary>
    public int Limit { get; init; } = 50;
    /// <summary>The <see cref="RunPage.NextCursor"/> of the previous page.</summary>
    public string? Cursor { get; init; }
}
