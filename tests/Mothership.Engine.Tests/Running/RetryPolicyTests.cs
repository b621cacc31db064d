using Mothership.Engine.Execution;
using Mothership.Engine.Running;

namespace Mothership.Engine.Tests.Running;

public sealed class RetryPolicyTests
{
    private static TaskRunOutcome Ended(TaskRunPhase phase) =>
        new() { Phase = phase, StartTime = DateTimeOffset.UnixEpoch, CompletionTime = DateTimeOffset.UnixEpoch };

    [Theory]
    [InlineData(TaskRunPhase.Failed, 1, 2, true)]
    [InlineData(TaskRunPhase.TimedOut, 2, 2, true)]
    [InlineData(TaskRunPhase.Failed, 3, 2, false)]
    [InlineData(TaskRunPhase.Cancelled, 1, 2, false)]
    [InlineData(TaskRunPhase.Succeeded, 1, 2, false)]
    [InlineData(TaskRunPhase.Failed, 1, 0, false)]
    public void Retries_PhaseAndAttemptsMade_TektonsRule(TaskRunPhase phase, int attempts, int retries, bool expected) =>
        Assert.Equal(expected, RetryPolicy.Retries(Ended(phase), attempts, retries));
}
