namespace Mothership.Server.Runs;

/// <summary>Why <see cref="RunIntake.RerunFromFailedAsync"/> made no run.</summary>
internal enum RerunRefusal
{
    /// <summary>A run was made.</summary>
    None,

    /// <summary>Not a PipelineRun (a standalone TaskRun has no tasks to reuse): 400.</summary>
    NotApplicable,

    /// <summary>The run has not finished: 409.</summary>
    NotFinished,

    /// <summary>The run succeeded: 409.</summary>
    NothingFailed,

    /// <summary>The run's manifest or journal cannot be read back: 409.</summary>
    Unreadable,

    /// <summary>The generated name is taken: 409, try again.</summary>
    NameTaken,
}
