using Mothership.Cli.Commands.Client;

namespace Mothership.Cli.Tests.Commands.Client;

public sealed class RunKindsTests
{
    [Theory]
    [InlineData("pr", "pipelineruns")]
    [InlineData("PipelineRun", "pipelineruns")]
    [InlineData("tr", "taskruns")]
    [InlineData("taskruns", "taskruns")]
    [InlineData("Task", "tasks")]
    [InlineData("pipelines", "pipelines")]
    [InlineData("stepaction", "stepactions")]
    [InlineData("pods", null)]
    public void Segment_KindAsUsersTypeIt_IsTheApisSegment(string kind, string? segment) =>
        Assert.Equal(segment, RunKinds.Segment(kind));
}
