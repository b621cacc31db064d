using Mothership.Ci.Forge;
using Mothership.Model.Tekton.Vocabulary;
using Mothership.Store;

namespace Mothership.Ci.Reporting;

/// <summary>
/// Prow's job states (<c>ProwJobState</c>), how a run maps onto them, and what each reports: the
/// commit state (aborted reports as failure, as Prow's crier does) and Prow's description.
/// </summary>
public static class JobStates
{
    public const string Triggered = "triggered";
    public const string Pending = "pending";
    public const string Success = "success";
    public const string Failure = "failure";
    public const string Aborted = "aborted";
    public const string Error = "error";

    /// <summary>The state of a job whose run stands as <paramref name="run"/>; a run deleted before it ended counts as aborted.</summary>
    public static string Of(RunSummary? run) => run switch
    {
        null => Aborted,
        { Phase: RunPhase.Pending or RunPhase.Queued } => Triggered,
        { Phase: RunPhase.Running } => Pending,
        { Status: ConditionStatus.True } => Success,
        { Reason: PipelineRunReason.Cancelled or PipelineRunReason.CancelledRunFinally or PipelineRunReason.StoppedRunFinally or TaskRunReason.Cancelled } => Aborted,
        { Status: ConditionStatus.False } => Failure,
        _ => Error,
    };

    /// <summary>Whether nothing follows <paramref name="state"/>.</summary>
    public static bool IsFinal(string state) => state is Success or Failure or Aborted or Error;

    /// <summary>The commit status that reports <paramref name="state"/>.</summary>
    public static CommitState CommitStateOf(string state) => state switch
    {
        Triggered or Pending => CommitState.Pending,
        Success => CommitState.Success,
        Error => CommitState.Error,
        _ => CommitState.Failure,
    };

    /// <summary>Prow's status description for <paramref name="state"/>.</summary>
    public static string Description(string state) => state switch
    {
        Triggered or Pending => "Job triggered.",
        Success => "Job succeeded.",
        Failure => "Job failed.",
        Aborted => "Job aborted.",
        _ => "Job execution failed.",
    };
}
