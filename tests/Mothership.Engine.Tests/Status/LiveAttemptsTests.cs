using Mothership.Engine.Execution;
using Mothership.Engine.Status;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Tests.Status;

public sealed class LiveAttemptsTests
{
    private static TaskRunRequest Request(int retry) => new()
    {
        TaskRunName = "tr",
        TaskRunUid = "u",
        RetryCount = retry,
        Spec = new TaskSpec { Steps = [new Step { Name = "a" }, new Step()] },
        Resources = new ResourceSet(),
    };

    [Fact]
    public void Steps_InSpecOrder_NotStartedOnesWaiting()
    {
        var live = new LiveAttempts();
        live.OnStep(Request(0), new StepState { Name = "a", Container = "step-a", StartedAt = DateTimeOffset.UnixEpoch });

        var steps = live.Steps("tr")!.Value;

        Assert.Equal(["step-a", "step-unnamed-1"], steps.Select(s => s.Container));
        Assert.NotNull(steps[0].StartedAt);
        Assert.Null(steps[1].StartedAt);
    }

    [Fact]
    public void OnStep_NewRetry_ReplacesTheEarlierAttempt()
    {
        var live = new LiveAttempts();
        live.OnStep(Request(0), new StepState { Name = "a", Container = "step-a", ExitCode = 1 });
        live.OnStep(Request(1), new StepState { Name = "unnamed-1", Container = "step-unnamed-1", StartedAt = DateTimeOffset.UnixEpoch });

        Assert.Null(live.Steps("tr")!.Value[0].ExitCode);
        live.Ended("tr");
        Assert.Null(live.Steps("tr"));
    }
}
