namespace Mothership.Model.Tekton.Vocabulary;

/// <summary>
/// Tekton's <c>spec.status</c> values of a PipelineRun and a TaskRun (pkg/apis/pipeline/v1
/// <c>PipelineRunSpecStatus*</c>, <c>TaskRunSpecStatus*</c>): how a user asks a run to wait or stop.
/// </summary>
public static class SpecStatus
{
    /// <summary>Stop everything now; finally tasks do not run.</summary>
    public const string Cancelled = "Cancelled";

    /// <summary>Cancel the running tasks, then run the finally tasks.</summary>
    public const string CancelledRunFinally = "CancelledRunFinally";

    /// <summary>Let the running tasks finish, start no new ones, then run the finally tasks.</summary>
    public const string StoppedRunFinally = "StoppedRunFinally";

    /// <summary>A PipelineRun created to wait for a start.</summary>
    public const string PipelineRunPending = "PipelineRunPending";

    /// <summary>A TaskRun created to wait for a start.</summary>
    public const string TaskRunPending = "TaskRunPending";

    /// <summary>A TaskRun's own cancel request.</summary>
    public const string TaskRunCancelled = "TaskRunCancelled";

    /// <summary>The cancel requests a PipelineRun accepts, in Tekton's order.</summary>
    public static IReadOnlyList<string> CancelRequests { get; } = [Cancelled, CancelledRunFinally, StoppedRunFinally];

    /// <summary>Whether <paramref name="status"/> is one of <see cref="CancelRequests"/>.</summary>
    public static bool IsCancelRequest(string? status) => status is Cancelled or CancelledRunFinally or StoppedRunFinally;

    /// <summary>The pending status of a run of <paramref name="kind"/> (<c>PipelineRun</c> or <c>TaskRun</c>).</summary>
    public static string PendingOf(string kind) => kind == "TaskRun" ? TaskRunPending : PipelineRunPending;

    /// <summary>Whether <paramref name="status"/> holds a run back until it is started.</summary>
    public static bool IsPending(string? status) => status is PipelineRunPending or TaskRunPending;
}
