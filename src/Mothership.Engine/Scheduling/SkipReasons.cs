namespace Mothership.Engine.Scheduling;

/// <summary>Tekton's skipping reasons, verbatim (pkg/apis/pipeline/v1 SkippingReason).</summary>
public static class SkipReasons
{
    public const string WhenExpressions = "When Expressions evaluated to false";
    public const string ParentTasks = "Parent Tasks were skipped";
    public const string Stopping = "PipelineRun was stopping";
    public const string GracefullyCancelled = "PipelineRun was gracefully cancelled";
    public const string GracefullyStopped = "PipelineRun was gracefully stopped";
    public const string MissingResults = "Results were missing";
    public const string PipelineTimedOut = "PipelineRun timeout has been reached";
    public const string TasksTimedOut = "PipelineRun Tasks timeout has been reached";
    public const string FinallyTimedOut = "PipelineRun Finally timeout has been reached";
    public const string EmptyMatrix = "Matrix Parameters have an empty array";

    /// <summary>Reasons that mean the task was skipped because time ran out.</summary>
    public static bool IsTimeout(string reason) => reason is PipelineTimedOut or TasksTimedOut or FinallyTimedOut;
}
