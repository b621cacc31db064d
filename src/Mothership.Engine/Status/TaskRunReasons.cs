using Mothership.Engine.Execution;
using Mothership.Model.Tekton.Vocabulary;

namespace Mothership.Engine.Status;

/// <summary>The reason of a TaskRun's condition for the phase its attempt ended in, as Tekton writes it.</summary>
public static class TaskRunReasons
{
    public static string Of(TaskRunOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return outcome.Phase switch
        {
            TaskRunPhase.Succeeded => TaskRunReason.Succeeded,
            TaskRunPhase.TimedOut => TaskRunReason.Timeout,
            TaskRunPhase.Cancelled => TaskRunReason.Cancelled,
            _ => TaskRunReason.Failed,
        };
    }
}
