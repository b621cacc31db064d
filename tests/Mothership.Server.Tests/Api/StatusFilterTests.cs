using Mothership.Server.Api;

namespace Mothership.Server.Tests.Api;

/// <summary>One status filter for the API, the CLI and the dashboard (issue 20, 7).</summary>
public class StatusFilterTests
{
    [Fact]
    public void TryParse_Succeeded_IncludesCompletedRuns()
    {
        Assert.True(StatusFilter.TryParse("Succeeded", out var reasons, out _));
        Assert.Equal(["Succeeded", "Completed"], reasons);
    }

    [Fact]
    public void Groups_EveryReasonARunCanHave_InExactlyOneGroup()
    {
        // A reason in no group is shown by the dashboard (✗ for FailureIgnored) but found by no filter.
        var reasons = new[] { typeof(Mothership.Model.Tekton.Vocabulary.PipelineRunReason), typeof(Mothership.Model.Tekton.Vocabulary.TaskRunReason) }
            .SelectMany(t => t.GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static))
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .Distinct();

        foreach (var reason in reasons)
        {
            Assert.True(StatusFilter.Groups.Count(g => g.Value.Contains(reason)) == 1, $"{reason} is in {StatusFilter.Groups.Count(g => g.Value.Contains(reason))} groups");
        }
    }

    [Fact]
    public void TryParse_GroupsAndReasonsMixed_EachReasonOnce()
    {
        Assert.True(StatusFilter.TryParse("failed, Cancelled,PipelineRunTimeout", out var reasons, out _));
        Assert.Contains("TaskRunTimeout", reasons);
        Assert.Contains("TaskRunCancelled", reasons);
        Assert.Single(reasons, r => r == "PipelineRunTimeout");
    }

    [Theory]
    [InlineData("Completed")]
    [InlineData("Queued")]
    [InlineData("PipelineRunPending")]
    [InlineData("InternalError")]
    public void TryParse_ExactReason_Kept(string reason)
    {
        Assert.True(StatusFilter.TryParse(reason, out var reasons, out _));
        Assert.Contains(reason, reasons);
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("Succeeded,nope")]
    [InlineData("succeded")]
    public void TryParse_Unknown_ErrorListsGroupsAndReasons(string text)
    {
        Assert.False(StatusFilter.TryParse(text, out _, out var error));
        Assert.StartsWith("status: '", error, StringComparison.Ordinal);
        Assert.Contains("is neither a group (Cancelled, Failed, Pending, Running, Succeeded) nor a reason (", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Groups_EveryGroupsReasonIsAReason()
    {
        foreach (var reason in StatusFilter.Groups.Values.SelectMany(r => r))
        {
            Assert.True(StatusFilter.TryParse(reason, out _, out var error), error);
        }
    }
}
