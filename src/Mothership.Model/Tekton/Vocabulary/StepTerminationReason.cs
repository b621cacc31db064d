namespace Mothership.Model.Tekton.Vocabulary;

/// <summary>
/// Tekton's <c>terminationReason</c> of a step (<c>status.steps[].terminationReason</c>) and the
/// container reasons Kubernetes writes into <c>terminated.reason</c>.
/// </summary>
public static class StepTerminationReason
{
    /// <summary>Exited 0.</summary>
    public const string Completed = "Completed";

    /// <summary>Exited non-zero with <c>onError: continue</c>: the task goes on.</summary>
    public const string Continued = "Continued";

    /// <summary>Exited non-zero: the task fails and its later steps are skipped.</summary>
    public const string Error = "Error";

    /// <summary>Never ran: an earlier step failed, or the attempt ended first.</summary>
    public const string Skipped = "Skipped";

    /// <summary>Stopped at its own <c>timeout</c>, or at the TaskRun's.</summary>
    public const string TimeoutExceeded = "TimeoutExceeded";

    /// <summary>Stopped because the TaskRun was cancelled.</summary>
    public const string Cancelled = "Cancelled";

    /// <summary>The container reason Kubernetes gives an exit code: <c>Completed</c> for 0, else <c>Error</c>.</summary>
    public static string ContainerReason(int exitCode) => exitCode == 0 ? Completed : Error;

    /// <summary>Whether a step with this termination reason ended by itself and will not run again.</summary>
    public static bool IsFinal(string? reason) => reason is not null and not Skipped;
}
