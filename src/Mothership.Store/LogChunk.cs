namespace Mothership.Store;

/// <summary>Lines of one container of one TaskRun attempt; <see cref="FirstLine"/> numbers the first line (from 0) within that container.</summary>
public sealed record LogChunk
{
    public required string Uid { get; init; }
    public required string TaskRun { get; init; }
    public int Attempt { get; init; }
    public required string Container { get; init; }
    public required long FirstLine { get; init; }
    /// <summary>The lines, each ended by <c>\n</c>.</summary>
    public required string Text { get; init; }
    public required DateTimeOffset Time { get; init; }
}
