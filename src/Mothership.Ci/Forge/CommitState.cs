namespace Mothership.Ci.Forge;

/// <summary>The state of a commit status, and of a ref's combined status (GitHub's four values).</summary>
public enum CommitState
{
    /// <summary>Running, or not reported yet.</summary>
    Pending,

    /// <summary>Passed.</summary>
    Success,

    /// <summary>The job ran and failed.</summary>
    Failure,

    /// <summary>The job could not run (infrastructure, configuration).</summary>
    Error,
}
