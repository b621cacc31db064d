using Mothership.Engine.Execution;
using Mothership.Engine.Scheduling;
using Mothership.Model.Limits;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Tests.Scheduling;

public sealed class PipelineRunSchedulerTests
{
    private static string Pipeline(string tasks, string extraSpec = "", string runSpec = "") => $$"""
        apiVersion: tekton.dev/v1
        kind: PipelineRun
        metadata: {name: pr}
        spec:
        {{runSpec}}
          pipelineSpec:
        {{extraSpec}}
            tasks:
        {{tasks}}
        """;

    private const string Step = "taskSpec: {results: [{name: r}], steps: [{name: s, image: x, script: 'true'}]}";

    [Fact]
    public void Next_IndependentTasks_StartTogetherAndDependentsWait()
    {
        var h = new SchedulerHarness(Pipeline($$"""
                  - {name: a, {{Step}}}
                  - {name: b, {{Step}}}
                  - {name: c, runAfter: [a, b], {{Step}}}
            """)).Step();
        Assert.Equal(["a", "b"], h.RunningTasks.Order());
        h.Succeed("a");
        Assert.DoesNotContain("c", h.RunningTasks);
        h.Succeed("b");
        Assert.Contains("c", h.RunningTasks);
        h.Succeed("c");
        Assert.Equal("Succeeded", h.State.Completion!.Reason);
        Assert.Equal("True", h.State.Completion.Status);
    }

    [Fact]
    public void Next_PodTemplates_TaskRunSpecsOverrideTheRunsFieldByFieldAndEnvWinsOverSteps()
    {
        var h = new SchedulerHarness(Pipeline("""
                  - name: a
                    taskSpec: {steps: [{name: s, image: x, script: 'true', env: [{name: MODE, value: step}, {name: KEEP, value: k}]}]}
                  - name: b
                    taskSpec: {steps: [{name: s, image: x, script: 'true'}]}
            """, runSpec: """
              taskRunTemplate:
                podTemplate:
                  nodeSelector: {pool: general}
                  tolerations: [{key: ci, operator: Exists}]
                  env: [{name: MODE, value: run}]
              taskRunSpecs:
                - pipelineTaskName: b
                  podTemplate:
                    nodeSelector: {pool: gpu}
                    env: [{name: MODE, value: task}]
            """)).Step();
        var a = h.Running.Single(r => r.PipelineTask == "a").Request;
        var b = h.Running.Single(r => r.PipelineTask == "b").Request;
        Assert.Equal(["KEEP=k", "MODE=run"], a.Spec.Steps[0].Env.Select(e => $"{e.Name}={e.Value}").Order());
        Assert.Equal(["MODE=task"], b.Spec.Steps[0].Env.Select(e => $"{e.Name}={e.Value}"));
        Assert.Equal("general", ((IDictionary<string, object?>)a.PodTemplate!.PodFields["nodeSelector"]!)["pool"]);
        Assert.Equal("gpu", ((IDictionary<string, object?>)b.PodTemplate!.PodFields["nodeSelector"]!)["pool"]);
        Assert.True(b.PodTemplate.PodFields.ContainsKey("tolerations"));
    }

    [Fact]
    public void Next_ResultReference_CreatesEdgeAndSubstitutesValue()
    {
        var h = new SchedulerHarness(Pipeline($$"""
                  - {name: a, {{Step}}}
                  - name: b
                    params: [{name: p, value: "got $(tasks.a.results.r)"}]
                    taskSpec: {params: [{name: p}], steps: [{name: s, image: x, script: "echo $(params.p)"}]}
            """)).Step();
        Assert.Equal(["a"], h.RunningTasks);
        h.Succeed("a", ("r", "42"));
        var b = h.Running.Single(r => r.PipelineTask == "b");
        Assert.Equal("echo got 42", b.Request.Spec.Steps[0].Script);
    }

    [Fact]
    public void Next_WhenFalse_SkipsOnlyThatTaskAndOrderedTasksStillRun()
    {
        var h = new SchedulerHarness(Pipeline($$"""
                  - name: a
                    when: [{input: "x", operator: in, values: ["y"]}]
                    {{Step}}
                  - {name: b, runAfter: [a], {{Step}}}
            """)).Step();
        Assert.Equal(SkipReasons.WhenExpressions, h.SkipReason("a"));
        Assert.Equal(["b"], h.RunningTasks);
        h.Succeed("b");
        Assert.Equal("Completed", h.State.Completion!.Reason);
    }

    [Fact]
    public void Next_CelWhenTrue_StartsTask()
    {
        var h = new SchedulerHarness(Pipeline($$"""
                  - name: a
                    when: [{cel: "'main' == 'main' && 'v1'.startsWith('v')"}]
                    {{Step}}
            """)).Step();
        Assert.Equal(["a"], h.RunningTasks);
        h.Succeed("a");
        Assert.Equal("Succeeded", h.State.Completion!.Reason);
    }

    [Fact]
    public void Next_CelWhenFalse_SkipsTaskAndRecordsWhenExpressions()
    {
        var h = new SchedulerHarness(Pipeline($$"""
                  - name: a
                    when: [{cel: "'dev' == 'main'"}]
                    {{Step}}
                  - {name: b, runAfter: [a], {{Step}}}
            """)).Step();
        Assert.Equal(SkipReasons.WhenExpressions, h.SkipReason("a"));
        Assert.Equal(["'dev' == 'main'"], h.Task("a").Skip!.WhenExpressions.Select(w => w.Cel));
        Assert.Equal(["b"], h.RunningTasks);
        h.Succeed("b");
        Assert.Equal("Completed", h.State.Completion!.Reason);
    }

    [Theory]
    [InlineData("prod", true)]
    [InlineData("dev", false)]
    public void Next_CelWhenWithParam_SubstitutesParamBeforeEvaluating(string env, bool runs)
    {
        var h = new SchedulerHarness(Pipeline($$"""
                  - name: a
                    when: [{cel: "'$(params.env)' == 'prod'"}]
                    {{Step}}
            """, extraSpec: "    params: [{name: env}]", runSpec: $"  params: [{{name: env, value: {env}}}]")).Step();
        Assert.Equal(runs, h.RunningTasks.Contains("a"));
        if (!runs)
        {
            Assert.Equal(SkipReasons.WhenExpressions, h.SkipReason("a"));
            Assert.Equal(["'dev' == 'prod'"], h.Task("a").Skip!.WhenExpressions.Select(w => w.Cel));
        }
    }

    [Theory]
    [InlineData("v1.2.0", true)]
    [InlineData("1.2.0", false)]
    public void Next_CelWhenWithResult_WaitsForProducerAndSubstitutesResult(string version, bool runs)
    {
        var h = new SchedulerHarness(Pipeline($$"""
                  - {name: a, {{Step}}}
                  - name: b
                    when:
                      - cel: "'$(tasks.a.results.r)'.startsWith('v')"
                      - cel: "'$(tasks.a.results.r)' in ['v1.2.0', '1.2.0']"
                    {{Step}}
            """)).Step();
        Assert.Equal(["a"], h.RunningTasks);
        h.Succeed("a", ("r", version));
        Assert.Equal(runs, h.RunningTasks.Contains("b"));
        Assert.Equal(runs ? null : SkipReasons.WhenExpressions, h.SkipReason("b"));
    }

    [Theory]
    [InlineData("1 / 0 == 1", "divide")]
    [InlineData("'a' + 'b'", "not evaluated to a boolean")]
    [InlineData("'$(params.env)' ==", "mismatched input")]
    public void Next_CelWhenError_FailsRunWithCelEvaluationFailed(string cel, string detail)
    {
        var h = new SchedulerHarness(Pipeline($$"""
                  - {name: first, {{Step}}}
                  - name: a
                    runAfter: [first]
                    when: [{cel: "{{cel}}"}]
                    {{Step}}
                finally:
                  - {name: cleanup, {{Step}}}
            """, extraSpec: "    params: [{name: env, default: prod}]")).Step();
        h.Succeed("first");
        Assert.Equal("CELEvaluationFailed", h.State.Completion!.Reason);
        Assert.Equal("False", h.State.Completion.Status);
        Assert.Contains("pipeline task a", h.State.Completion.Message, StringComparison.Ordinal);
        Assert.Contains(cel.Replace("$(params.env)", "prod", StringComparison.Ordinal), h.State.Completion.Message, StringComparison.Ordinal);
        Assert.Contains(detail, h.State.Completion.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(SkipReasons.Stopping, h.SkipReason("a"));
        Assert.Empty(h.RunningTasks);
    }

    [Fact]
    public void Next_CelWhenErrorInFinallyTask_FailsRunAndCancelsStartedFinallyTasks()
    {
        var h = new SchedulerHarness(Pipeline($$"""
                  - {name: a, {{Step}}}
                finally:
                  - {name: ok, {{Step}}}
                  - name: bad
                    when: [{cel: "size(1) == 1"}]
                    {{Step}}
            """)).Step();
        h.Succeed("a");
        Assert.Equal(["ok"], h.Cancelled.Select(c => c.PipelineTask));
        h.Finish("ok", TaskRunPhase.Cancelled);
        Assert.Equal("CELEvaluationFailed", h.State.Completion!.Reason);
        Assert.Contains("pipeline task bad", h.State.Completion.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Next_ConsumerOfWhenSkippedProducer_IsSkippedAsResultsMissing()
    {
        var h = new SchedulerHarness(Pipeline($$"""
                  - name: a
                    when: [{input: "x", operator: notin, values: ["x"]}]
                    {{Step}}
                  - name: b
                    params: [{name: p, value: "$(tasks.a.results.r)"}]
                    taskSpec: {params: [{name: p}], steps: [{name: s, image: x, script: "true"}]}
            """)).Step();
        Assert.Equal(SkipReasons.MissingResults, h.SkipReason("b"));
        Assert.Equal("Completed", h.State.Completion!.Reason);
    }

    [Fact]
    public void Next_ProducerSucceededWithoutResult_FailsRunWithInvalidTaskResultReference()
    {
        var h = new SchedulerHarness(Pipeline($$"""
                  - {name: a, {{Step}}}
                  - name: b
                    params: [{name: p, value: "$(tasks.a.results.r)"}]
                    taskSpec: {params: [{name: p}], steps: [{name: s, image: x, script: "true"}]}
            """)).Step();
        h.Succeed("a");
        Assert.Equal("InvalidTaskResultReference", h.State.Completion!.Reason);
        Assert.Equal("False", h.State.Completion.Status);
    }

    [Fact]
    public void Next_ConsumerWithOnErrorContinue_MissingResultIsSkipNotFailure()
    {
        var h = new SchedulerHarness(Pipeline($$"""
                  - {name: a, {{Step}}}
                  - name: b
                    onError: continue
                    params: [{name: p, value: "$(tasks.a.results.r)"}]
                    taskSpec: {params: [{name: p}], steps: [{name: s, image: x, script: "true"}]}
            """)).Step();
        h.Succeed("a");
        Assert.Equal(SkipReasons.MissingResults, h.SkipReason("b"));
    }

    [Fact]
    public void Next_AfterFailure_NoNewTaskStartsRestSkippedAsStoppingAndFinallyRuns()
    {
        var h = new SchedulerHarness(Pipeline($$"""
                  - {name: a, {{Step}}}
                  - {name: slow, {{Step}}}
                  - {name: b, runAfter: [a], {{Step}}}
                finally:
                  - name: report
                    params: [{name: a, value: "$(tasks.a.status)"}, {name: all, value: "$(tasks.status)"}, {name: b, value: "$(tasks.b.status)"}]
                    taskSpec: {params: [{name: a}, {name: all}, {name: b}], steps: [{name: s, image: x, script: "echo $(params.a) $(params.all) $(params.b)"}]}
            """)).Step();
        h.Fail("a");
        Assert.Equal(SkipReasons.Stopping, h.SkipReason("b"));
        Assert.DoesNotContain("report", h.RunningTasks);
        h.Succeed("slow");
        var report = h.Running.Single(r => r.PipelineTask == "report");
        Assert.Equal("echo Failed Failed None", report.Request.Spec.Steps[0].Script);
        h.Succeed("report");
        Assert.Equal("Failed", h.State.Completion!.Reason);
        Assert.Equal("Tasks Completed: 3 (Failed: 1, Cancelled 0), Skipped: 1", h.State.Completion.Message);
    }

    [Fact]
    public void Next_ParentSkippedByStopping_ChildReasonIsStoppingNotParent()
    {
        var h = new SchedulerHarness(Pipeline($$"""
                  - {name: a, {{Step}}}
                  - {name: b, runAfter: [a], {{Step}}}
                  - {name: c, runAfter: [b], {{Step}}}
            """)).Step();
        h.Fail("a");
        Assert.Equal(SkipReasons.Stopping, h.SkipReason("b"));
        Assert.Equal(SkipReasons.Stopping, h.SkipReason("c"));
    }

    [Fact]
    public void Next_ParentSkippedForMissingResults_ChildIsSkippedAsParentTasks()
    {
        var h = new SchedulerHarness(Pipeline($$"""
                  - name: a
                    when: [{input: "x", operator: in, values: ["y"]}]
                    {{Step}}
                  - name: b
                    params: [{name: p, value: "$(tasks.a.results.r)"}]
                    taskSpec: {params: [{name: p}], steps: [{name: s, image: x, script: "true"}]}
                  - {name: c, runAfter: [b], {{Step}}}
            """)).Step();
        Assert.Equal(SkipReasons.ParentTasks, h.SkipReason("c"));
    }

    [Fact]
    public void Next_Retries_RetriesUntilExhaustedWithRetryCount()
    {
        var h = new SchedulerHarness(Pipeline("""
                  - name: a
                    retries: 2
                    taskSpec: {steps: [{name: s, image: x, script: "echo $(context.task.retry-count)"}]}
            """)).Step();
        Assert.Equal("echo 0", h.Running.Single().Request.Spec.Steps[0].Script);
        h.Fail("a");
        Assert.Equal("echo 1", h.Running.Single().Request.Spec.Steps[0].Script);
        h.Fail("a");
        Assert.Equal("echo 2", h.Running.Single().Request.Spec.Steps[0].Script);
        h.Fail("a");
        Assert.Empty(h.Running);
        Assert.Equal(3, h.Task("a").Runs[0].Attempts.Length);
        Assert.Equal("Failed", h.State.Completion!.Reason);
    }

    [Fact]
    public void Next_Retry_EachAttemptGetsTheFullTaskTimeout()
    {
        var h = new SchedulerHarness(Pipeline($$"""
                  - {name: a, retries: 1, timeout: 10s, {{Step}}}
            """)).Step();
        Assert.Equal(TimeSpan.FromSeconds(10), h.Running.Single().Request.Timeout);
        h.Now = SchedulerHarness.T0.AddSeconds(8);
        h.Finish("a", TaskRunPhase.TimedOut);
        Assert.Equal(TimeSpan.FromSeconds(10), h.Running.Single().Request.Timeout);
        Assert.Equal(1, h.Running.Single().Request.RetryCount);
    }

    [Fact]
    public void Next_RetryThenSuccess_TaskSucceeds()
    {
        var h = new SchedulerHarness(Pipeline($$"""
                  - {name: a, retries: 1, {{Step}}}
            """)).Step();
        h.Fail("a").Succeed("a");
        Assert.Equal(TaskPhase.Succeeded, h.Task("a").Phase);
        Assert.Equal("Succeeded", h.State.Completion!.Reason);
    }

    [Fact]
    public void Next_PipelineTaskOnErrorContinue_FailureIgnoredAndRunSucceeds()
    {
        var h = new SchedulerHarness(Pipeline($$"""
                  - {name: a, onError: continue, {{Step}}}
                  - {name: b, runAfter: [a], {{Step}}}
            """)).Step();
        h.Fail("a");
        Assert.True(h.Task("a").FailureIgnored);
        Assert.Contains("b", h.RunningTasks);
        h.Succeed("b");
        Assert.Equal("Succeeded", h.State.Completion!.Reason);
    }

    [Fact]
    public void Next_PipelineTimeout_CancelsRunningSkipsRestAndFinally()
    {
        var h = new SchedulerHarness(Pipeline($$"""
                  - {name: a, {{Step}}}
                  - {name: b, runAfter: [a], {{Step}}}
                finally:
                  - {name: f, {{Step}}}
            """, runSpec: """
              timeouts: {pipeline: 10s}
            """)).Step();
        Assert.Equal(TimeSpan.FromSeconds(10), h.Running.Single().Request.Timeout);
        h.Now = SchedulerHarness.T0.AddSeconds(11);
        h.Step();
        Assert.Single(h.Cancelled);
        h.Finish("a", TaskRunPhase.Cancelled);
        Assert.Equal(SkipReasons.PipelineTimedOut, h.SkipReason("b"));
        Assert.Equal(SkipReasons.PipelineTimedOut, h.SkipReason("f"));
        Assert.Equal("PipelineRunTimeout", h.State.Completion!.Reason);
    }

    [Fact]
    public void Record_AttemptTimedOutAtThePipelinesDeadline_IsCancelledByIt()
    {
        // The attempt's timeout is what was left of the run's: its own timer may end it before the
        // run's deadline is seen, and it still ends as Tekton's TaskRun of a timed-out run does.
        var h = new SchedulerHarness(Pipeline($$"""
                  - {name: a, {{Step}}}
            """, runSpec: """
              timeouts: {pipeline: 10s}
            """)).Step();
        h.Now = SchedulerHarness.T0.AddSeconds(10);
        h.Finish("a", TaskRunPhase.TimedOut);
        var attempt = h.Task("a").Runs[0].Attempts.Single();
        Assert.Equal((TaskRunPhase.Cancelled, "TaskRun cancelled as the PipelineRun it belongs to has timed out."), (attempt.Phase, attempt.Message));
        Assert.Equal("PipelineRunTimeout", h.State.Completion!.Reason);
    }

    [Fact]
    public void Record_AttemptTimedOutByItsOwnTimeoutBeforeThePipelines_StaysTimedOut()
    {
        var h = new SchedulerHarness(Pipeline($$"""
                  - {name: a, timeout: 5s, {{Step}}}
            """, runSpec: """
              timeouts: {pipeline: 10s}
            """)).Step();
        h.Now = SchedulerHarness.T0.AddSeconds(4);
        h.Finish("a", TaskRunPhase.TimedOut);
        Assert.Equal(TaskRunPhase.TimedOut, h.Task("a").Runs[0].Attempts.Single().Phase);
        Assert.Equal("Failed", h.State.Completion!.Reason);
    }

    [Fact]
    public void Next_TasksTimeout_SkipsRemainingTasksButRunsFinally()
    {
        var h = new SchedulerHarness(Pipeline($$"""
                  - {name: a, {{Step}}}
                  - {name: b, runAfter: [a], {{Step}}}
                finally:
                  - {name: f, {{Step}}}
            """, runSpec: """
              timeouts: {pipeline: 1h, tasks: 5s}
            """)).Step();
        h.Now = SchedulerHarness.T0.AddSeconds(6);
        h.Step();
        h.Finish("a", TaskRunPhase.Cancelled);
        Assert.Equal(SkipReasons.TasksTimedOut, h.SkipReason("b"));
        Assert.Contains("f", h.RunningTasks);
        h.Succeed("f");
        // Tekton's GetPipelineConditionStatus: tasks timed out and finally done → PipelineRunTimeout.
        Assert.Equal("PipelineRunTimeout", h.State.Completion!.Reason);
        Assert.Equal("PipelineRun \"pr\" failed due to tasks failed to finish within \"5s\"", h.State.Completion.Message);
    }

    [Fact]
    public void Next_CancelledRunFinally_CancelsRunningAndRunsFinally()
    {
        var h = new SchedulerHarness(Pipeline($$"""
                  - {name: a, {{Step}}}
                  - {name: b, runAfter: [a], {{Step}}}
                finally:
                  - name: f
                    params: [{name: s, value: "$(tasks.a.status)"}]
                    taskSpec: {params: [{name: s}], steps: [{name: s, image: x, script: "echo $(params.s)"}]}
            """)).Step();
        h.RequestCancel("CancelledRunFinally");
        Assert.Single(h.Cancelled);
        h.Finish("a", TaskRunPhase.Cancelled);
        Assert.Equal(SkipReasons.GracefullyCancelled, h.SkipReason("b"));
        Assert.Equal("echo Failed", h.Running.Single(r => r.PipelineTask == "f").Request.Spec.Steps[0].Script);
        h.Succeed("f");
        Assert.Equal("Cancelled", h.State.Completion!.Reason);
    }

    [Fact]
    public void Next_Cancelled_CancelsRunningAndSkipsFinallyToo()
    {
        var h = new SchedulerHarness(Pipeline($$"""
                  - {name: a, {{Step}}}
                finally:
                  - {name: f, {{Step}}}
            """)).Step();
        h.RequestCancel("Cancelled");
        Assert.Single(h.Cancelled);
        h.Finish("a", TaskRunPhase.Cancelled);
        Assert.Equal(SkipReasons.Stopping, h.SkipReason("f"));
        Assert.Equal("Cancelled", h.State.Completion!.Reason);
    }

    [Fact]
    public void Next_StoppedRunFinally_LetsRunningTasksFinishThenRunsFinally()
    {
        var h = new SchedulerHarness(Pipeline($$"""
                  - {name: a, {{Step}}}
                  - {name: b, runAfter: [a], {{Step}}}
                finally:
                  - {name: f, {{Step}}}
            """)).Step();
        h.RequestCancel("StoppedRunFinally");
        Assert.Empty(h.Cancelled);
        h.Succeed("a");
        Assert.Equal(SkipReasons.GracefullyStopped, h.SkipReason("b"));
        Assert.Contains("f", h.RunningTasks);
        h.Succeed("f");
        Assert.Equal("Cancelled", h.State.Completion!.Reason);
    }

    [Fact]
    public void Next_FinallyTimeout_CancelsRunningFinallyAndSkipsTheRest()
    {
        var h = new SchedulerHarness(Pipeline($$"""
                  - {name: a, {{Step}}}
                finally:
                  - {name: f1, {{Step}}}
                  - name: f2
                    when: [{input: "$(tasks.status)", operator: in, values: ["Succeeded"]}]
                    {{Step}}
            """, runSpec: """
              timeouts: {pipeline: 1h, finally: 5s}
            """)).Step();
        h.Now = SchedulerHarness.T0.AddSeconds(10);
        h.Succeed("a");
        Assert.Equal(TimeSpan.FromSeconds(5), h.Running.Single(r => r.PipelineTask == "f1").Request.Timeout);
        h.Now = SchedulerHarness.T0.AddSeconds(16);
        h.Step();
        Assert.Equal(2, h.Cancelled.Count);
        h.Finish("f1", TaskRunPhase.Cancelled).Finish("f2", TaskRunPhase.Cancelled);
        Assert.Equal("Cancelled", h.State.Completion!.Reason);
        Assert.Equal("False", h.State.Completion.Status);
    }

    [Fact]
    public void Next_PendingRunCreatedCancelled_RunsNothing()
    {
        var h = new SchedulerHarness(Pipeline($$"""
                  - {name: a, {{Step}}}
            """), runStatus: "Cancelled").Step();
        Assert.Empty(h.Running);
        Assert.Equal("Cancelled", h.State.Completion!.Reason);
    }

    [Fact]
    public void Next_Matrix_FansOutAndAggregatesResults()
    {
        var h = new SchedulerHarness(Pipeline("""
                  - name: m
                    matrix:
                      params:
                        - {name: os, value: [linux, mac]}
                        - {name: arch, value: [amd64, arm64]}
                    taskSpec:
                      params: [{name: os}, {name: arch}]
                      results: [{name: out}]
                      steps: [{name: s, image: x, script: "echo $(params.os)/$(params.arch)"}]
                  - name: use
                    params: [{name: all, value: "$(tasks.m.results.out[*])"}]
                    taskSpec: {params: [{name: all, type: array}], steps: [{name: s, image: x, args: ["$(params.all[*])"]}]}
            """)).Step();
        var scripts = h.Running.Select(r => r.Request.Spec.Steps[0].Script).ToList();
        Assert.Equal(["echo linux/amd64", "echo mac/amd64", "echo linux/arm64", "echo mac/arm64"], scripts);
        for (var i = 0; i < 4; i++)
        {
            h.Finish("m", TaskRunPhase.Succeeded, i, ("out", $"v{i}"));
        }

        Assert.Equal(["v0", "v1", "v2", "v3"], h.Running.Single(r => r.PipelineTask == "use").Request.Spec.Steps[0].Args);
    }

    [Fact]
    public void Next_MatrixWithEmptyArray_IsSkipped()
    {
        var h = new SchedulerHarness(Pipeline($$"""
                  - name: m
                    matrix: {params: [{name: p, value: []}]}
                    {{Step}}
            """)).Step();
        Assert.Equal(SkipReasons.EmptyMatrix, h.SkipReason("m"));
    }

    [Fact]
    public void Next_MatrixInclude_ExtendsMatchingCombinationAndAddsNewOne()
    {
        var h = new SchedulerHarness(Pipeline("""
                  - name: m
                    matrix:
                      params: [{name: arch, value: [amd64, s390x]}]
                      include:
                        - {name: flags, params: [{name: arch, value: s390x}, {name: flags, value: "-cover"}]}
                        - {name: odd, params: [{name: arch, value: riscv}]}
                    taskSpec:
                      params: [{name: arch}, {name: flags, default: none}]
                      steps: [{name: s, image: x, script: "echo $(params.arch) $(params.flags)"}]
            """)).Step();
        Assert.Equal(["echo amd64 none", "echo s390x -cover", "echo riscv none"], h.Running.Select(r => r.Request.Spec.Steps[0].Script));
    }

    [Fact]
    public void Next_MatrixFromParamsOverTheLimit_FailsTheTaskWithoutFanningOut()
    {
        // The count is only known once params are resolved: 17 × 17 = 289 > 256 (Tekton's default).
        var values = string.Join(", ", Enumerable.Range(0, 17).Select(i => $"v{i}"));
        var h = new SchedulerHarness(Pipeline($$"""
                  - name: m
                    matrix:
                      params:
                        - {name: x, value: ["$(params.xs[*])"]}
                        - {name: y, value: ["$(params.xs[*])"]}
                    taskSpec:
                      params: [{name: x}, {name: y}]
                      steps: [{name: s, image: x, script: "true"}]
                  - {name: after, runAfter: [m], {{Step}}}
            """, extraSpec: $$"""
                params: [{name: xs, type: array, default: [{{values}}]}]
            """)).Step();

        Assert.Empty(h.Running);
        var m = h.Task("m");
        Assert.Equal(TaskPhase.Failed, m.Phase);
        var run = Assert.Single(m.Runs);
        Assert.Equal(PipelineTaskRuns.Name("pr", "m"), run.TaskRunName);
        Assert.Equal("the matrix of pipeline task \"m\" fans out to 289 TaskRuns with its values resolved: at most 256 are allowed (default-max-matrix-combinations-count)",
            Assert.Single(run.Attempts).Message);
        Assert.Equal(SkipReasons.Stopping, h.SkipReason("after"));
        Assert.Equal(("False", "Failed"), (h.State.Completion!.Status, h.State.Completion.Reason));
    }

    [Fact]
    public void Next_MatrixAtTheHostsLimit_FansOutAndOneMoreFails()
    {
        var matrix = """
                  - name: m
                    matrix:
                      params:
                        - {name: x, value: [a, b]}
                        - {name: y, value: [c, d]}
                      include: [{name: one-more, params: [{name: x, value: z}]}]
                    taskSpec:
                      params: [{name: x}, {name: y, default: none}]
                      steps: [{name: s, image: x, script: "true"}]
            """;

        var five = new SchedulerHarness(Pipeline(matrix)).WithLimits(InputLimits.Default with { MaxMatrixCombinations = 5 }).Step();
        var four = new SchedulerHarness(Pipeline(matrix)).WithLimits(InputLimits.Default with { MaxMatrixCombinations = 4 }).Step();

        Assert.Equal(5, five.Running.Count);
        Assert.Empty(four.Running);
        Assert.Contains("fans out to 5 TaskRuns", Assert.Single(four.Task("m").Runs).Attempts[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Next_PipelineResults_ResolvedFromTaskResultsAndMissingOnesLeftOut()
    {
        var h = new SchedulerHarness(Pipeline($$"""
                  - {name: a, {{Step}}}
            """, extraSpec: """
                results:
                  - {name: ok, value: "$(tasks.a.results.r)"}
                  - {name: missing, value: "$(tasks.a.results.nope)"}
            """)).Step();
        h.Succeed("a", ("r", "v\n"));
        Assert.Equal("v\n", Assert.Single(h.State.Results).Value.StringValue);
    }

    [Fact]
    public void Next_PipelineResults_FromFinallyTaskResult_Resolved()
    {
        var h = new SchedulerHarness(Pipeline($$"""
                  - {name: a, {{Step}}}
                finally:
                  - {name: f, {{Step}}}
            """, extraSpec: """
                results:
                  - {name: fin, value: "$(finally.f.results.r)"}
                  - {name: missing, value: "$(finally.f.results.nope)"}
            """)).Step();
        h.Succeed("a", ("r", "x"));
        h.Succeed("f", ("r", "y"));
        var result = Assert.Single(h.State.Results);
        Assert.Equal(("fin", "y"), (result.Name, result.Value.StringValue));
    }

    [Fact]
    public void TaskRunName_LongName_IsShortenedTo63()
    {
        var name = PipelineTaskRuns.Name(new string('r', 50), new string('t', 30));
        Assert.Equal(63, name.Length);
        Assert.Equal("rrrr-tt", PipelineTaskRuns.Name("rrrr", "tt"));
    }

    [Fact]
    public void Next_WorkspaceBindingsWithParams_SubstitutedInTheRunsAndTheTasksBindings()
    {
        // Tekton: the PipelineRun's bindings take the pipeline's params (ReplaceWorkspaceBindingsVars),
        // a pipeline task's subPath its scope; the two subPaths are then joined.
        var h = new SchedulerHarness("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings-prod}
            data: {mode: fast}
            ---
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata: {name: pr}
            spec:
              params: [{name: env, value: prod}]
              workspaces:
                - name: shared
                  subPath: runs/$(params.env)
                  emptyDir: {}
                - name: config
                  configMap:
                    name: settings-$(params.env)
                    items: [{key: mode, path: $(params.env).conf}]
              pipelineSpec:
                params: [{name: env}]
                workspaces: [{name: shared}, {name: config}]
                tasks:
                  - name: a
                    workspaces:
                      - {name: data, workspace: shared, subPath: $(context.pipelineRun.name)}
                      - {name: config, workspace: config}
                    taskSpec:
                      workspaces: [{name: data}, {name: config}]
                      steps: [{name: s, image: x, script: 'true'}]
            """).Step();

        var bindings = h.Running.Single().Request.Workspaces;
        Assert.Equal("runs/prod/pr", bindings.Single(b => b.Name == "data").SubPath);
        var config = bindings.Single(b => b.Name == "config").Source;
        Assert.Equal("settings-prod", config.ConfigMapName);
        Assert.Equal(new KeyToPath("mode", "prod.conf"), config.Items.Single());
    }
}

