using Microsoft.Extensions.Time.Testing;
using Mothership.Cli.Output.Progress;
using Spectre.Console.Testing;

namespace Mothership.Cli.Tests.Output.Progress;

public sealed class ProgressRendererTests
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private static ProgressFrame Frame(bool estimates, ProgressTaskState last = ProgressTaskState.Waiting)
    {
        TimeSpan? E(int minutes) => estimates ? TimeSpan.FromMinutes(minutes) : null;
        var model = new ProgressModel(new FakeTimeProvider(T0.AddSeconds(150)));
        model.Update(new ProgressSnapshot
        {
            RunName = "deploy-dev-abc",
            StartTime = T0,
            Tasks =
            [
                new ProgressTask { Name = "mariadb", State = ProgressTaskState.Succeeded, StartTime = T0, CompletionTime = T0.AddSeconds(62), Estimate = E(1) },
                new ProgressTask { Name = "keystone", State = ProgressTaskState.Running, Parents = ["mariadb"], StartTime = T0.AddSeconds(90), Estimate = E(5) },
                new ProgressTask { Name = "glance", State = last, Parents = ["keystone"], Estimate = E(3) },
                new ProgressTask { Name = "summary", IsFinally = true },
            ],
        });
        return model.Frame()!;
    }

    private static string Render(ProgressFrame frame, LogTails? tails = null)
    {
        var console = new TestConsole().Width(120);
        console.Write(ProgressRenderer.Render(frame, tails));
        return console.Output;
    }

    [Fact]
    public void Render_WithEstimates_ShowsWavesCountsAndTimeLeft()
    {
        var text = Render(Frame(estimates: true));

        Assert.Contains("PipelineRun deploy-dev-abc", text, StringComparison.Ordinal);
        Assert.Contains("2m30s elapsed", text, StringComparison.Ordinal);
        // keystone has 4 of its 5 minutes left, then glance's 3.
        Assert.Contains("~7m00s left on the critical path", text, StringComparison.Ordinal);
        Assert.Contains("done 1/4", text, StringComparison.Ordinal);
        Assert.Contains("running 1", text, StringComparison.Ordinal);
        Assert.Contains("failed 0", text, StringComparison.Ordinal);
        Assert.Contains("waiting 2", text, StringComparison.Ordinal);
        var rows = text.Split('\n');
        Assert.Contains(rows, r => r.TrimStart().StartsWith("1 ", StringComparison.Ordinal) && r.Contains("✔ mariadb 1m02s", StringComparison.Ordinal) && r.TrimEnd().EndsWith("1/1", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.TrimStart().StartsWith("2 ", StringComparison.Ordinal) && r.Contains("◐ keystone 1m00s/~5m00s", StringComparison.Ordinal) && r.TrimEnd().EndsWith("0/1", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.TrimStart().StartsWith("3 ", StringComparison.Ordinal) && r.Contains("○ glance", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.TrimStart().StartsWith("finally ", StringComparison.Ordinal) && r.Contains("○ summary", StringComparison.Ordinal));
    }

    [Fact]
    public void Render_WithoutEstimates_SaysSoAndShowsElapsedTimes()
    {
        var text = Render(Frame(estimates: false));

        Assert.Contains("no estimates", text, StringComparison.Ordinal);
        Assert.DoesNotContain("left on the critical path", text, StringComparison.Ordinal);
        Assert.Contains("◐ keystone 1m00s", text, StringComparison.Ordinal);
        Assert.DoesNotContain("/~", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_FailedAndSkipped_AreNamedSo()
    {
        var text = Render(Frame(estimates: false, last: ProgressTaskState.Failed));

        Assert.Contains("✖ glance", text, StringComparison.Ordinal);
        Assert.Contains("failed 1", text, StringComparison.Ordinal);
        Assert.Contains("– ", Render(Frame(estimates: false, last: ProgressTaskState.Skipped)), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_LogTails_LastLinesOfRunningTasksWithEscapesShown()
    {
        var tails = new LogTails();
        foreach (var i in Enumerable.Range(1, 5))
        {
            tails.Add("keystone", $"[keystone/helm-upgrade] line {i}");
        }

        tails.Add("keystone", "[keystone/wait] \u001b[31mred\u001b[0m");
        tails.Add("mariadb", "[mariadb/record] done long ago");

        var text = Render(Frame(estimates: true), tails);

        Assert.DoesNotContain("line 3", text, StringComparison.Ordinal);
        Assert.Contains("line 4", text, StringComparison.Ordinal);
        Assert.Contains("line 5", text, StringComparison.Ordinal);
        Assert.Contains(@"[keystone/wait] \x1b[31mred", text, StringComparison.Ordinal);
        Assert.DoesNotContain("done long ago", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Finished_ShowsTheReasonAndNoTimeLeft()
    {
        var model = new ProgressModel(new FakeTimeProvider(T0.AddMinutes(9)));
        model.Update(new ProgressSnapshot
        {
            RunName = "r",
            StartTime = T0,
            Status = "True",
            Reason = "Succeeded",
            Tasks = [new ProgressTask { Name = "a", State = ProgressTaskState.Succeeded, StartTime = T0, CompletionTime = T0.AddSeconds(42), Estimate = TimeSpan.FromMinutes(1) }],
        });

        var text = Render(model.Frame()!);

        Assert.Contains("Succeeded", text, StringComparison.Ordinal);
        Assert.Contains("42s elapsed", text, StringComparison.Ordinal);
        Assert.DoesNotContain("left", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(59.9, "59s")]
    [InlineData(185, "3m05s")]
    [InlineData(3720, "1h02m")]
    public void Duration_Forms(double seconds, string text) => Assert.Equal(text, ProgressRenderer.Duration(TimeSpan.FromSeconds(seconds)));
}
