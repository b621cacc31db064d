namespace Mothership.Store;

/// <summary>Lines of one container of one TaskRun attempt; <see cref="FirstLine"/> numbers the first line (from 0) within that container.</summary>
public sealed record LogChunk
{
    public required string Uid { get; init; }
    public required string TaskRun { get; init; }
    /// <summary>
    /// The pipeline task the TaskRun runs, for a PipelineRun's chunks; null for a TaskRun's and for
    /// chunks stored before the store kept it. Log readers take a chunk's task from here, not from
    /// the run object, which is written at most once a second and may not name the TaskRun yet.
    /// </summary>
    public string? PipelineTask { get; init; }
    public int Attempt { get; init; }
    public required string Container { get; init; }
    public required long FirstLine { get; init; }
    /// <summary>The lines, each ended by <c>\n</c>.</summary>
    public required string Text { get; init; }
    public required DateTimeOffset Time { get; init; }
}
