using Mothership.Engine.Execution;
using Mothership.Engine.Status;
using Mothership.Engine.Tests.Scheduling;

namespace Mothership.Engine.Tests.Status;

public sealed class RunObjectWriterTests
{
    [Fact]
    public void PipelineRun_FinishedRun_HasTektonShape()
    {
        var h = new SchedulerHarness("""
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata: {name: pr, labels: {app: x}}
            spec:
              taskRunTemplate:
                serviceAccountName: builder
                podTemplate: {nodeSelector: {pool: ci}, env: [{name: A, value: b}]}
              pipelineSpec:
                tasks:
                  - name: a
                    retries: 1
                    taskSpec: {results: [{name: r}], steps: [{name: s, image: x, script: "true"}]}
                  - name: b
                    when: [{input: "x", operator: in, values: ["y"]}]
                    taskSpec: {steps: [{name: s, image: x, script: "true"}]}
                results:
                  - {name: out, value: $(tasks.a.results.r)}
            """).Step();
        h.Fail("a").Succeed("a", ("r", "v"));
        var run = RunObjectWriter.PipelineRun(h.State);

        Assert.Equal("tekton.dev/v1", run["apiVersion"]!.GetValue<string>());
        Assert.Equal("x", run["metadata"]!["labels"]!["app"]!.GetValue<string>());
        Assert.Equal("builder", run["spec"]!["taskRunTemplate"]!["serviceAccountName"]!.GetValue<string>());
        Assert.Null(run["spec"]!["serviceAccountName"]);
        Assert.Equal("""{"nodeSelector":{"pool":"ci"},"env":[{"name":"A","value":"b"}]}""", run["spec"]!["taskRunTemplate"]!["podTemplate"]!.ToJsonString());
        Assert.Null(run["spec"]!["podTemplate"]);
        Assert.Equal("1h0m0s", run["spec"]!["timeouts"]!["pipeline"]!.GetValue<string>());
        var status = run["status"]!;
        Assert.Equal("Completed", status["conditions"]![0]!["reason"]!.GetValue<string>());
        Assert.Equal("v", status["results"]![0]!["value"]!.GetValue<string>());
        var skipped = status["skippedTasks"]![0]!;
        Assert.Equal("b", skipped["name"]!.GetValue<string>());
        Assert.Equal("When Expressions evaluated to false", skipped["reason"]!.GetValue<string>());
        Assert.Equal("in", skipped["whenExpressions"]![0]!["operator"]!.GetValue<string>());
        var child = status["childReferences"]![0]!;
        Assert.Equal(("TaskRun", "pr-a", "a"), (child["kind"]!.GetValue<string>(), child["name"]!.GetValue<string>(), child["pipelineTaskName"]!.GetValue<string>()));
        var a = status["taskRuns"]!["pr-a"]!["status"]!;
        Assert.Equal("Succeeded", a["conditions"]![0]!["reason"]!.GetValue<string>());
        Assert.Equal("Failed", a["retriesStatus"]![0]!["conditions"]![0]!["reason"]!.GetValue<string>());
    }

    [Fact]
    public void TaskRunStatus_FailureIgnored_IsTheReasonOfTheLastAttempt()
    {
        var now = SchedulerHarness.T0;
        var failed = new TaskRunOutcome { Phase = TaskRunPhase.Failed, Message = "\"step-s\" exited with code 1", StartTime = now, CompletionTime = now };
        var status = RunObjectWriter.TaskRunStatus([failed], running: false, failureIgnored: true, "tr");
        Assert.Equal("FailureIgnored", status["conditions"]![0]!["reason"]!.GetValue<string>());
        Assert.Equal("False", status["conditions"]![0]!["status"]!.GetValue<string>());
    }
}
