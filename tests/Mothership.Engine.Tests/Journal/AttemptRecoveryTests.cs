using Mothership.Engine.Execution;
using Mothership.Engine.Journal;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Tests.Journal;

public sealed class AttemptRecoveryTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.UnixEpoch;

    private static StepState Finished(string name, int retry = 0) =>
        new() { Name = name, Container = "step-" + name, StartedAt = T0, FinishedAt = T0.AddSeconds(1), ExitCode = 0, TerminationReason = "Completed" };

    private static TaskRunOutcome Ended(TaskRunPhase phase) => new() { Phase = phase, StartTime = T0, CompletionTime = T0 };

    [Fact]
    public void Resume_FinishedSteps_KeptWithTheTimeoutLeft()
    {
        var request = new TaskRunRequest { TaskRunName = "tr", TaskRunUid = "u", Spec = new TaskSpec(), Resources = new ResourceSet(), Timeout = TimeSpan.FromMinutes(10) };

        var resumed = AttemptRecovery.Resume(request, [Finished("a")], T0.AddMinutes(4));

        Assert.Equal(TimeSpan.FromMinutes(6), resumed.Timeout);
        Assert.Equal(["a"], resumed.FinishedSteps.Select(s => s.Name));
    }

    [Fact]
    public void Resume_TimeoutSpent_LeavesAMillisecond()
    {
        var request = new TaskRunRequest { TaskRunName = "tr", TaskRunUid = "u", Spec = new TaskSpec(), Resources = new ResourceSet(), Timeout = TimeSpan.FromMinutes(1) };

        Assert.Equal(TimeSpan.FromMilliseconds(1), AttemptRecovery.Resume(request, [Finished("a")], T0.AddHours(1)).Timeout);
    }

    [Fact]
    public void ReplayTaskRun_Journal_EndedAttemptsAndTheNextOnesFinishedSteps()
    {
        JournalRecord[] journal =
        [
            new StepRecord("u", 0, Finished("a")),
            new DecisionRecord(T0, [new TaskRunAttemptEnded(0, Ended(TaskRunPhase.Failed))]),
            new StepRecord("u", 1, Finished("a")),
            new StepRecord("u", 1, Finished("a")),
            new StepRecord("u", 1, Finished("b")),
        ];

        var resume = AttemptRecovery.ReplayTaskRun(journal);

        Assert.Equal([TaskRunPhase.Failed], resume.Attempts.Select(a => a.Phase));
        Assert.Equal(["a", "b"], resume.FinishedSteps.Select(s => s.Name));
    }

    [Fact]
    public void Deserialize_LegacyStandaloneAttempt_ReadAsTaskRunAttemptEnded()
    {
        var legacy = JournalCodec.Serialize(new DecisionRecord(T0, [new AttemptEnded("", 2, Ended(TaskRunPhase.TimedOut))]));

        var read = (DecisionRecord)JournalCodec.Deserialize(legacy);

        var ended = Assert.IsType<TaskRunAttemptEnded>(Assert.Single(read.Events));
        Assert.Equal((2, TaskRunPhase.TimedOut), (ended.RetryCount, ended.Outcome.Phase));
        Assert.IsType<TaskRunAttemptEnded>(Assert.Single(((DecisionRecord)JournalCodec.Deserialize(JournalCodec.Serialize(read))).Events));
    }
}
