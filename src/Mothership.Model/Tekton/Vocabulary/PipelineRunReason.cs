namespace Mothership.Model.Tekton.Vocabulary;

/// <summary>
/// The reasons of a PipelineRun's <c>Succeeded</c> condition, as Tekton spells them
/// (pkg/apis/pipeline/v1 <c>PipelineRunReason*</c>), plus the server's own waiting states.
/// </summary>
public static class PipelineRunReason
{
    public const string Succeeded = "Succeeded";

    /// <summary>Succeeded, with skipped tasks.</summary>
    public const string Completed = "Completed";

    public const string Failed = "Failed";

    public const string Running = "Running";

    public const string Pending = "Pending";

    public const string Timeout = "PipelineRunTimeout";

    public const string Cancelled = "Cancelled";

    public const string CancelledRunFinally = "CancelledRunFinally";

    public const string StoppedRunFinally = "StoppedRunFinally";

    /// <summary>A task reads a result that a task which ran did not produce.</summary>
    public const string InvalidTaskResultReference = "InvalidTaskResultReference";

    /// <summary>A CEL when expression could not be evaluated.</summary>
    public const string CelEvaluationFailed = "CELEvaluationFailed";

    /// <summary>The run's spec could not be read (a damaged stored manifest).</summary>
    public const string CouldntGetSpec = "CouldntGetSpec";

    /// <summary>Mothership's own: waiting in the store for a server to claim it.</summary>
    public const string Queued = "Queued";

    /// <summary>Mothership's own: the server failed to drive the run (a bug or an infrastructure failure).</summary>
    public const string InternalError = "InternalError";
}
