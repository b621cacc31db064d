using Mothership.Model.Validation;

namespace Mothership.Engine.Execution;

/// <summary>
/// The messages of an attempt's end, in Tekton's words (pkg/pod/status.go, pkg/reconciler/taskrun),
/// so that every executor ends a TaskRun with the same text.
/// </summary>
public static class AttemptMessages
{
    public const string AllStepsCompleted = "All Steps have completed executing";

    public const string StepsRunning = "Not all Steps in the Task have finished executing";

    /// <summary>An attempt cancelled while it waited for a slot: it never ran.</summary>
    public const string CancelledBeforeStart = "TaskRun cancelled before it started.";

    public static string StepFailed(string container, int exitCode) => $"\"{container}\" exited with code {exitCode}";

    public static string StepTimedOut(string container, TimeSpan limit) =>
        $"\"{container}\" exited because the step exceeded the specified timeout limit; step timed out after \"{GoDuration.Format(limit)}\"";

    public static string TimedOut(string taskRun, TimeSpan? timeout) =>
        $"TaskRun \"{taskRun}\" failed to finish within \"{GoDuration.Format(timeout ?? TimeSpan.Zero)}\"";

    public static string Cancelled(string taskRun) => $"TaskRun \"{taskRun}\" was cancelled";

    /// <summary>The executor itself failed (an API error, a bug): the attempt fails, the run goes on.</summary>
    public static string ExecutorError(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return $"executor error: {error.Message}";
    }
}
