using System.Collections.Immutable;
using Mothership.Engine.Execution;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Tests.Execution;

public sealed class AttemptRulesTests
{
    private static AttemptRules Rules(string steps, string extra = "", ResultLimit? limit = null, TimeSpan? timeout = null)
    {
        var bag = new DiagnosticBag();
        var task = ResourceLoader.Load("t.yaml", $"apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {{name: t}}\nspec:\n{extra}  steps:\n{steps}", bag).OfType<TektonTask>().Single();
        Assert.False(bag.HasErrors, string.Join("\n", bag.Items));
        return new AttemptRules(new TaskRunRequest
        {
            TaskRunName = "build-run",
            TaskRunUid = "uid",
            Spec = task.Spec,
            Resources = new ResourceSet(),
            Timeout = timeout,
        }, limit);
    }

    [Fact]
    public void Names_UnnamedSteps_AreUnnamedIndexWithStepContainers()
    {
        var rules = Rules("    - {image: a, script: x}\n    - {name: b, image: a, script: x}\n");

        Assert.Equal(["unnamed-0", "b"], rules.StepNames);
        Assert.Equal("step-unnamed-0", rules.StepContainer(0));
        Assert.Equal("step-b", rules.StepContainer(1));
    }

    [Theory]
    [InlineData(0, StepStop.None, "Completed", null, null)]
    [InlineData(7, StepStop.None, "Error", TaskRunPhase.Failed, "\"step-s\" exited with code 7")]
    [InlineData(143, StepStop.StepTimeout, "TimeoutExceeded", TaskRunPhase.Failed, "\"step-s\" exited because the step exceeded the specified timeout limit; step timed out after \"1m30s\"")]
    [InlineData(143, StepStop.AttemptTimeout, "TimeoutExceeded", TaskRunPhase.TimedOut, "TaskRun \"build-run\" failed to finish within \"10m0s\"")]
    [InlineData(143, StepStop.Cancelled, "Cancelled", TaskRunPhase.Cancelled, "TaskRun \"build-run\" was cancelled")]
    public void Judge_ExitCodeAndStop_TektonsVerdictAndMessage(int exitCode, StepStop stop, string reason, TaskRunPhase? phase, string? message)
    {
        var rules = Rules("    - {name: s, image: a, timeout: 1m30s, script: x}\n", timeout: TimeSpan.FromMinutes(10));

        var verdict = rules.Judge(0, exitCode, stop);

        Assert.Equal(reason, verdict.TerminationReason);
        Assert.Equal(phase, verdict.EndsAttempt?.Phase);
        Assert.Equal(message, verdict.EndsAttempt?.Message);
    }

    [Theory]
    [InlineData(3, StepStop.None, "Continued")]
    [InlineData(143, StepStop.StepTimeout, "TimeoutExceeded")]
    public void Judge_OnErrorContinue_GoesOn(int exitCode, StepStop stop, string reason)
    {
        var rules = Rules("    - {name: s, image: a, timeout: 1s, onError: continue, script: x}\n");

        var verdict = rules.Judge(0, exitCode, stop);

        Assert.Equal(reason, verdict.TerminationReason);
        Assert.Null(verdict.EndsAttempt);
    }

    [Fact]
    public void StepTimeout_Unreadable_IsTheUsersMistake()
    {
        var rules = Rules("    - {name: s, image: a, timeout: 0s, script: x}\n    - {name: t, image: a, timeout: soon, script: x}\n");

        Assert.Null(rules.StepTimeout(0));
        Assert.Equal("\"step-t\": invalid timeout \"soon\"", Assert.Throws<AttemptFailure>(() => rules.StepTimeout(1)).Message);
    }

    [Fact]
    public void StepTimeout_BeyondTheLongestWait_IsTheUsersMistake()
    {
        // A timeout filled in by a variable escapes validation: 8760h must not reach a timer (issue finding 10).
        var rules = Rules("    - {name: s, image: a, timeout: 1000h, script: x}\n    - {name: t, image: a, timeout: 8760h, script: x}\n");

        Assert.Equal(TimeSpan.FromHours(1000), rules.StepTimeout(0));
        Assert.Equal("\"step-t\": timeout \"8760h\" is longer than 1000h0m0s, the longest Mothership can wait",
            Assert.Throws<AttemptFailure>(() => rules.StepTimeout(1)).Message);
    }

    [Fact]
    public void Completed_StepsThatNeverRanOrWereInterrupted_SkippedOrStopped()
    {
        var rules = Rules("    - {name: a, image: i, script: x}\n    - {name: b, image: i, script: x}\n    - {name: c, image: i, script: x}\n");
        var now = DateTimeOffset.UnixEpoch;
        var done = AttemptRules.Ended(rules.Started(0, now), 0, "Completed", now);

        var steps = rules.Completed([done, rules.Started(1, now)], AttemptRules.InterruptedReason(cancelled: true));

        Assert.Equal(["Completed", "Cancelled", "Skipped"], steps.Select(s => s.TerminationReason));
        Assert.Equal([0, null, null], steps.Select(s => s.ExitCode));
        Assert.Equal("Completed", steps[0].Reason);
    }

    [Fact]
    public void EndOf_FinishedStepsOfAnEarlierIncarnation_DecideAsTheyDidThen()
    {
        var rules = Rules("    - {name: a, image: i, onError: continue, script: x}\n    - {name: b, image: i, timeout: 1s, script: x}\n");
        var now = DateTimeOffset.UnixEpoch;

        Assert.Null(rules.EndOf(0, AttemptRules.Ended(rules.Started(0, now), 2, "Continued", now)));
        Assert.Equal(TaskRunPhase.Failed, rules.EndOf(1, AttemptRules.Ended(rules.Started(1, now), 143, "TimeoutExceeded", now))?.Phase);
    }

    [Fact]
    public void FinishedSteps_NotThePrefixOfTheSpec_IsTheCallersBug()
    {
        var rules = Rules("    - {name: a, image: i, script: x}\n");
        var wrong = new AttemptRules(rules.Request with { FinishedSteps = [new StepState { Name = "z", Container = "step-z", TerminationReason = "Completed" }] });

        Assert.Throws<ArgumentException>(() => wrong.FinishedSteps());
    }

    [Fact]
    public void TaskResults_WrittenAndFromStepResults_TypedInDeclarationOrder()
    {
        var rules = Rules(
            "    - {name: build, image: i, results: [{name: digest}], script: x}\n",
            "  results:\n    - {name: digest, value: $(steps.build.results.digest)}\n    - {name: list, type: array}\n    - {name: never}\n");
        var build = rules.Started(0, DateTimeOffset.UnixEpoch) with { Results = rules.StepResults(0, new Dictionary<string, string> { ["digest"] = "sha256:1", ["undeclared"] = "x" }) };

        var results = rules.TaskResults(new Dictionary<string, string> { ["list"] = "[\"a\"]" }, [build]);

        Assert.Equal([new RunResult("digest", ParamValue.Of("sha256:1")), new RunResult("list", ParamValue.Of(["a"]))], results);
        Assert.Equal([new RunResult("digest", ParamValue.Of("sha256:1"))], build.Results);
    }

    [Fact]
    public void TaskResults_WrongTypeOrTooLarge_FailTheAttempt()
    {
        var rules = Rules("    - {name: s, image: i, script: x}\n", "  results:\n    - {name: list, type: array}\n    - {name: text}\n", ResultLimit.PerResult(4));

        Assert.Equal("task result \"list\" is declared as array but its value is not a JSON array: nope",
            Assert.Throws<AttemptFailure>(() => rules.TaskResults(new Dictionary<string, string> { ["list"] = "nope" }, [])).Message);
        Assert.StartsWith("result \"text\" is 5 bytes, more than the 4 one result may be",
            Assert.Throws<AttemptFailure>(() => rules.TaskResults(new Dictionary<string, string> { ["text"] = "12345" }, [])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SidecarStopped_AnySignal_IsCompleted()
    {
        var sidecar = new StepState { Name = "db", Container = "sidecar-db", StartedAt = DateTimeOffset.UnixEpoch };

        var stopped = AttemptRules.SidecarStopped(sidecar, 143, DateTimeOffset.UnixEpoch.AddSeconds(5));

        Assert.Equal(("Completed", "Error", 143), (stopped.TerminationReason, stopped.Reason, stopped.ExitCode));
        Assert.Equal(ImmutableArray<RunResult>.Empty, stopped.Results);
    }
}
