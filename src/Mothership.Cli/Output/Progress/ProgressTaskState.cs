namespace Mothership.Cli.Output.Progress;

/// <summary>Where a pipeline task stands in the progress view.</summary>
internal enum ProgressTaskState
{
    /// <summary>Not started: waiting for the tasks it runs after, or for a free slot.</summary>
    Waiting,

    Running,

    Succeeded,

    /// <summary>Failed, timed out, or cancelled (also a failure its pipeline ignores).</summary>
    Failed,

    /// <summary>Skipped: a <c>when</c> guard, or a task it needed failed.</summary>
    Skipped,
}
