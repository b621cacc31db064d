using System.Text.Json.Nodes;
using Mothership.Server.Ci;

namespace Mothership.Server.Tests.Ci;

public sealed class ServerJobLogsTests
{
    [Fact]
    public void FailedStep_PipelineRun_FirstStepThatExitedNonZeroInAFailedTaskRun()
    {
        var run = JsonNode.Parse("""
            {"status": {"taskRuns": {
              "ci-clone": {"pipelineTaskName": "clone", "status": {"conditions": [{"type": "Succeeded", "status": "True"}],
                "steps": [{"name": "clone", "container": "step-clone", "terminated": {"exitCode": 0}}]}},
              "ci-unit": {"pipelineTaskName": "unit", "status": {"conditions": [{"type": "Succeeded", "status": "False"}],
                "steps": [{"name": "deps", "container": "step-deps", "terminated": {"exitCode": 0}},
                          {"name": "test", "container": "step-test", "terminated": {"exitCode": 2}},
                          {"name": "report", "container": "step-report", "terminated": {"exitCode": 1}}]}}
            }}}
            """)!.AsObject();

        Assert.Equal(("unit", "ci-unit", "test", "step-test", (int?)2), ServerJobLogs.FailedStep("PipelineRun", "ci", run));
    }

    [Fact]
    public void FailedStep_TaskRunTimedOut_FirstStepThatDidNotEnd()
    {
        var run = JsonNode.Parse("""
            {"status": {"conditions": [{"type": "Succeeded", "status": "False", "reason": "TaskRunTimeout"}],
              "steps": [{"name": "build", "container": "step-build", "terminated": {"exitCode": 0}}, {"name": "e2e", "container": "step-e2e"}]}}
            """)!.AsObject();

        Assert.Equal(("tr", "tr", "e2e", "step-e2e", (int?)null), ServerJobLogs.FailedStep("TaskRun", "tr", run));
        Assert.Null(ServerJobLogs.FailedStep("TaskRun", "tr", JsonNode.Parse("""{"status": {"conditions": [{"status": "True"}], "steps": []}}""")!.AsObject()));
    }
}
