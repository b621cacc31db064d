using Mothership.Engine.Execution;
using Mothership.Model.Validation;

namespace Mothership.Engine.Scheduling;

/// <summary>
/// Tekton's timeouts as deadlines: a run's <c>timeouts.pipeline</c> (default
/// <see cref="Default"/>), <c>timeouts.tasks</c> and <c>timeouts.finally</c>, a task's own
/// <c>timeout</c>, and what is left of them when an attempt starts. One rule for pipeline tasks
/// and standalone TaskRuns.
/// </summary>
public static class Timeouts
{
    /// <summary>Tekton's default timeout for a PipelineRun and a TaskRun (default-timeout-minutes).</summary>
    public static readonly TimeSpan Default = TimeSpan.FromHours(1);

    /// <summary>A timeout as written (Go duration); null when absent, zero or negative (no timeout).</summary>
    public static TimeSpan? Parse(string? text) =>
        text is not null && GoDuration.TryParse(text, out var t) ? (t <= TimeSpan.Zero ? null : t) : null;

    /// <summary>A TaskRun's or pipeline task's own <c>timeout</c>: <see cref="Default"/> when not written, none when zero.</summary>
    public static TimeSpan? OfTaskRun(string? text) => text is null ? Default : Parse(text);

    /// <summary>The next moment a timeout fires, so the driver can wake up for it.</summary>
    public static DateTimeOffset? Next(PipelineRunState state, DateTimeOffset now)
    {
        var deadlines = new[] { Pipeline(state), Tasks(state), Finally(state) };
        return deadlines.Where(d => d is { } x && x > now).Min();
    }

    /// <summary>Whether the run's, the tasks' or the finally tasks' deadline has passed at <paramref name="now"/>.</summary>
    public static bool AnyPassed(PipelineRunState state, DateTimeOffset now) =>
        Pipeline(state) <= now || Tasks(state) <= now || Finally(state) <= now;

    /// <summary>When the run times out (<c>timeouts.pipeline</c>, default one hour); null for none.</summary>
    public static DateTimeOffset? Pipeline(PipelineRunState s)
    {
        var text = s.Run.Spec.Timeouts?.Pipeline;
        if (text is null)
        {
            return s.StartTime + Default;
        }

        return Parse(text) is { } t ? s.StartTime + t : null;
    }

    /// <summary>When the DAG tasks time out (<c>timeouts.tasks</c>, from the run's start).</summary>
    public static DateTimeOffset? Tasks(PipelineRunState s) =>
        Parse(s.Run.Spec.Timeouts?.Tasks) is { } t ? s.StartTime + t : null;

    /// <summary>When the finally tasks time out (<c>timeouts.finally</c>, from when they started).</summary>
    public static DateTimeOffset? Finally(PipelineRunState s) =>
        s.FinallyStartTime is { } f && Parse(s.Run.Spec.Timeouts?.Finally) is { } t ? f + t : null;

    /// <summary>
    /// The timeout of an attempt of <paramref name="t"/> starting <paramref name="now"/>: its own,
    /// capped by what is left of the run's and the tasks' (or finally's) deadlines. Each attempt
    /// gets the task's full timeout.
    /// </summary>
    public static TimeSpan? ForAttempt(PipelineRunState s, PipelineTaskState t, DateTimeOffset now)
    {
        var own = OfTaskRun(t.Task.Timeout);
        if (RunDeadline(s, t) is { } d)
        {
            var remaining = d - now;
            if (remaining < TimeSpan.FromMilliseconds(1))
            {
                remaining = TimeSpan.FromMilliseconds(1);
            }

            return own is null || remaining < own ? remaining : own;
        }

        return own;
    }

    /// <summary>
    /// Whether an attempt that timed out did so because its timeout was what was left of the
    /// run's deadline (<see cref="ForAttempt"/>), not its task's own: the run timed out.
    /// </summary>
    public static bool EndedByRunDeadline(PipelineRunState s, PipelineTaskState t, TaskRunOutcome outcome)
    {
        if (outcome.Phase != TaskRunPhase.TimedOut)
        {
            return false;
        }

        return RunDeadline(s, t) is { } d && (OfTaskRun(t.Task.Timeout) is not { } own || outcome.StartTime + own > d);
    }

    /// <summary>The deadline of the run that caps <paramref name="t"/>'s attempts: the run's, and the tasks' or finally's.</summary>
    private static DateTimeOffset? RunDeadline(PipelineRunState s, PipelineTaskState t) =>
        t.IsFinally ? Min(Finally(s), Pipeline(s)) : Min(Tasks(s), Pipeline(s));

    private static DateTimeOffset? Min(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : (a < b ? a : b);
}
