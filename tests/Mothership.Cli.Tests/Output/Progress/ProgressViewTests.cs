using Microsoft.Extensions.Time.Testing;
using Mothership.Cli.Output.Progress;
using Spectre.Console.Testing;

namespace Mothership.Cli.Tests.Output.Progress;

public sealed class ProgressViewTests
{
    [Theory]
    [InlineData(false, "xterm-256color", null, true, true)]
    [InlineData(false, "xterm", "false", true, true)]
    [InlineData(true, "xterm", null, true, false)]
    [InlineData(false, "dumb", null, true, false)]
    [InlineData(false, "xterm", "true", true, false)]
    [InlineData(false, "xterm", "1", true, false)]
    [InlineData(false, "xterm", null, false, false)]
    public void IsTerminal_RedirectedDumbCiOrNoAnsi_IsNot(bool redirected, string? term, string? ci, bool ansi, bool expected) =>
        Assert.Equal(expected, ProgressView.IsTerminal(redirected, term, ci, ansi));

    [Fact]
    public void Enabled_Plain_IsOff() => Assert.False(ProgressView.Enabled(plain: true));

    [Fact(Timeout = 10_000)]
    public async Task ShowAsync_RunEnds_DrawsTheFinalStateOnceMore()
    {
        var t0 = new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
        var model = new ProgressModel(new FakeTimeProvider(t0));
        var ended = new TaskCompletionSource();
        var refreshes = 0;
        var console = new TestConsole().Width(100);

        var showing = ProgressView.ShowAsync(console, model, new LogTails(), _ =>
        {
            refreshes++;
            model.Update(new ProgressSnapshot
            {
                RunName = "r",
                StartTime = t0,
                Status = ended.Task.IsCompleted ? "False" : "Unknown",
                Reason = ended.Task.IsCompleted ? "Failed" : "Running",
                Tasks = [new ProgressTask { Name = "a", State = ended.Task.IsCompleted ? ProgressTaskState.Failed : ProgressTaskState.Running }],
            });
            ended.TrySetResult();
            return Task.CompletedTask;
        }, ended.Task, TimeSpan.FromHours(1), TimeProvider.System, TestContext.Current.CancellationToken);
        await showing;

        Assert.Equal(2, refreshes);
        Assert.Contains("✖ a", console.Output, StringComparison.Ordinal);
        Assert.Contains("Failed", console.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void PrintFailedTails_PrintsTheFailedTasksLastLinesOnly()
    {
        var model = new ProgressModel(new FakeTimeProvider(DateTimeOffset.UnixEpoch));
        model.Update(new ProgressSnapshot
        {
            RunName = "r",
            Tasks =
            [
                new ProgressTask { Name = "ok", State = ProgressTaskState.Succeeded },
                new ProgressTask { Name = "bad", State = ProgressTaskState.Failed, Reason = "Failed" },
                new ProgressTask { Name = "quiet", State = ProgressTaskState.Failed, Reason = "TaskRunTimeout" },
            ],
        });
        var tails = new LogTails();
        tails.Add("ok", "[ok/s] fine");
        tails.Add("bad", "[bad/s] error: no such chart");
        var output = new StringWriter();

        ProgressView.PrintFailedTails(model, tails, output);

        var text = output.ToString();
        Assert.Contains("last lines of bad (Failed):\n[bad/s] error: no such chart\n", text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("quiet failed (TaskRunTimeout); it wrote no log lines", text, StringComparison.Ordinal);
        Assert.DoesNotContain("fine", text, StringComparison.Ordinal);
    }
}
