namespace Mothership.Model.Tekton.Vocabulary;

/// <summary>The reasons of a TaskRun's <c>Succeeded</c> condition (pkg/apis/pipeline/v1 <c>TaskRunReason*</c>).</summary>
public static class TaskRunReason
{
    public const string Succeeded = "Succeeded";

    public const string Failed = "Failed";

    public const string Running = "Running";

    public const string Pending = "Pending";

    public const string Timeout = "TaskRunTimeout";

    public const string Cancelled = "TaskRunCancelled";

    /// <summary>Failed, in a pipeline task with <c>onError: continue</c>: the run goes on.</summary>
    public const string FailureIgnored = "FailureIgnored";
}
