namespace Mothership.Ci.Forge;

/// <summary>Where a check run stands (GitHub's <c>status</c> of a check run).</summary>
public enum CheckRunStatus
{
    /// <summary>Waiting to start.</summary>
    Queued,

    /// <summary>Running.</summary>
    InProgress,

    /// <summary>Ended; its conclusion says how.</summary>
    Completed,
}
