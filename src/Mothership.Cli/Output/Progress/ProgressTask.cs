using System.Collections.Immutable;

namespace Mothership.Cli.Output.Progress;

/// <summary>One pipeline task in a <see cref="ProgressSnapshot"/>: its state, times, the tasks it waits for and its estimate.</summary>
internal sealed record ProgressTask
{
    public required string Name { get; init; }

    public bool IsFinally { get; init; }

    public ProgressTaskState State { get; init; }

    /// <summary>Why it failed or was skipped (the reason of its TaskRun, or the skip reason).</summary>
    public string? Reason { get; init; }

    public DateTimeOffset? StartTime { get; init; }

    public DateTimeOffset? CompletionTime { get; init; }

    /// <summary>The tasks this one runs after (<c>runAfter</c> and result references).</summary>
    public ImmutableArray<string> Parents { get; init; } = [];

    /// <summary>From <c>mothership.io/estimated-durations</c>; null when the run carries none for it.</summary>
    public TimeSpan? Estimate { get; init; }
}
