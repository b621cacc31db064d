using Mothership.Engine.Execution;

namespace Mothership.Engine.Running;

/// <summary>Tekton's <c>retries</c>, one rule for pipeline tasks and standalone TaskRuns.</summary>
public static class RetryPolicy
{
    /// <summary>
    /// Whether an attempt that ended as <paramref name="last"/> is followed by another: it failed
    /// or timed out (a cancelled attempt is never retried) and, with <paramref name="attempts"/>
    /// made so far, retries are left (<c>retries: N</c> allows N + 1 attempts). Each attempt is a
    /// new one with the full timeout; the earlier ones are kept in <c>retriesStatus</c>.
    /// </summary>
    public static bool Retries(TaskRunOutcome last, int attempts, int retries)
    {
        ArgumentNullException.ThrowIfNull(last);
        return last.Phase is TaskRunPhase.Failed or TaskRunPhase.TimedOut && attempts <= retries;
    }
}
