using Microsoft.Extensions.Time.Testing;
using Mothership.Cli.Output.Progress;

namespace Mothership.Cli.Tests.Output.Progress;

public sealed class ProgressModelTests
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private static ProgressTask Task(string name, ProgressTaskState state = ProgressTaskState.Waiting, string[]? after = null, double? estimateMinutes = null,
        double? startedAt = null, double? endedAt = null, bool isFinally = false) => new()
        {
            Name = name,
            State = state,
            Parents = [.. after ?? []],
            Estimate = estimateMinutes is { } m ? TimeSpan.FromMinutes(m) : null,
            StartTime = startedAt is { } s ? T0.AddSeconds(s) : null,
            CompletionTime = endedAt is { } e ? T0.AddSeconds(e) : null,
            IsFinally = isFinally,
        };

    private static ProgressSnapshot Snapshot(params ProgressTask[] tasks) => new() { RunName = "deploy-dev-x", Tasks = [.. tasks], StartTime = T0 };

    [Fact]
    public void Frame_BeforeAnySnapshot_IsNull() => Assert.Null(new ProgressModel(new FakeTimeProvider(T0)).Frame());

    [Fact]
    public void Frame_Waves_AreDagLevelsThenFinally()
    {
        var model = new ProgressModel(new FakeTimeProvider(T0));
        model.Update(Snapshot(Task("a"), Task("b", after: ["a"]), Task("c", after: ["a"]), Task("d", after: ["b", "c"]), Task("e"), Task("summary", isFinally: true)));

        var frame = model.Frame()!;

        Assert.Equal(["1", "2", "3", "finally"], frame.Waves.Select(w => w.Label));
        Assert.Equal(["a", "e"], frame.Waves[0].Tasks.Select(t => t.Name));
        Assert.Equal(["b", "c"], frame.Waves[1].Tasks.Select(t => t.Name));
        Assert.Equal(["d"], frame.Waves[2].Tasks.Select(t => t.Name));
        Assert.Equal(["summary"], frame.Waves[3].Tasks.Select(t => t.Name));
    }

    [Fact]
    public void Frame_TaskMovesFromWaitingToRunningToSucceeded_CountsAndDurationsFollow()
    {
        var time = new FakeTimeProvider(T0);
        var model = new ProgressModel(time);
        model.Update(Snapshot(Task("a"), Task("b", after: ["a"])));
        Assert.Equal((0, 0, 0, 2), Counts(model.Frame()!));
        Assert.Null(model.Frame()!.Waves[0].Tasks[0].Duration);

        // The first attempt of a running TaskRun has no start time yet: its time runs from when the view saw it running.
        time.Advance(TimeSpan.FromSeconds(10));
        model.Update(Snapshot(Task("a", ProgressTaskState.Running), Task("b", after: ["a"])));
        time.Advance(TimeSpan.FromSeconds(30));
        var running = model.Frame()!;
        Assert.Equal((0, 1, 0, 1), Counts(running));
        Assert.Equal(TimeSpan.FromSeconds(30), running.Waves[0].Tasks[0].Duration);
        Assert.Equal(TimeSpan.FromSeconds(40), running.Elapsed);

        model.Update(Snapshot(Task("a", ProgressTaskState.Succeeded, startedAt: 10, endedAt: 55), Task("b", ProgressTaskState.Failed, after: ["a"], startedAt: 55, endedAt: 62)));
        var ended = model.Frame()!;
        Assert.Equal((2, 0, 1, 0), Counts(ended));
        Assert.Equal(TimeSpan.FromSeconds(45), ended.Waves[0].Tasks[0].Duration);
        Assert.Equal(TimeSpan.FromSeconds(7), ended.Waves[1].Tasks[0].Duration);
        Assert.Equal(ProgressTaskState.Failed, ended.Waves[1].Tasks[0].State);
    }

    [Fact]
    public void Frame_SkippedTask_CountsAsDoneWithoutDuration()
    {
        var model = new ProgressModel(new FakeTimeProvider(T0));
        model.Update(Snapshot(Task("a", ProgressTaskState.Skipped), Task("b")));

        var frame = model.Frame()!;

        Assert.Equal((1, 0, 0, 1), Counts(frame));
        Assert.Null(frame.Waves[0].Tasks.Single(t => t.Name == "a").Duration);
    }

    [Fact]
    public void Frame_WithEstimates_TimeLeftIsTheLongestRemainingChain()
    {
        var time = new FakeTimeProvider(T0.AddMinutes(7));
        var model = new ProgressModel(time);
        // a done; b has run 2 of its 3 minutes, then d (2m): 3m; c waits 4m; then the finally task's minute.
        model.Update(Snapshot(
            Task("a", ProgressTaskState.Succeeded, estimateMinutes: 5, startedAt: 0, endedAt: 300),
            Task("b", ProgressTaskState.Running, after: ["a"], estimateMinutes: 3, startedAt: 300),
            Task("c", after: ["a"], estimateMinutes: 4),
            Task("d", after: ["b"], estimateMinutes: 2),
            Task("summary", isFinally: true, estimateMinutes: 1)));

        var frame = model.Frame()!;

        Assert.True(frame.HasEstimates);
        Assert.Equal(TimeSpan.FromMinutes(5), frame.TimeLeft);
    }

    [Fact]
    public void Frame_RunningPastItsEstimate_CountsNothingNotLessThanNothing()
    {
        var model = new ProgressModel(new FakeTimeProvider(T0.AddMinutes(10)));
        model.Update(Snapshot(Task("a", ProgressTaskState.Running, estimateMinutes: 1, startedAt: 0), Task("b", after: ["a"], estimateMinutes: 2)));

        Assert.Equal(TimeSpan.FromMinutes(2), model.Frame()!.TimeLeft);
    }

    [Fact]
    public void Frame_EstimatesOnlyForSomeTasks_OthersCountNothing()
    {
        var model = new ProgressModel(new FakeTimeProvider(T0));
        model.Update(Snapshot(Task("a", estimateMinutes: 2), Task("unchanged"), Task("b", after: ["unchanged"], estimateMinutes: 1)));

        Assert.Equal(TimeSpan.FromMinutes(2), model.Frame()!.TimeLeft);
    }

    [Fact]
    public void Frame_WithoutEstimates_HasNoTimeLeft()
    {
        var model = new ProgressModel(new FakeTimeProvider(T0.AddSeconds(20)));
        model.Update(Snapshot(Task("a", ProgressTaskState.Running, startedAt: 5), Task("b", after: ["a"])));

        var frame = model.Frame()!;

        Assert.False(frame.HasEstimates);
        Assert.Null(frame.TimeLeft);
        Assert.Equal(TimeSpan.FromSeconds(15), frame.Waves[0].Tasks[0].Duration);
        Assert.Equal(TimeSpan.FromSeconds(20), frame.Elapsed);
    }

    [Fact]
    public void Notice_KeepsTheLastThree()
    {
        var model = new ProgressModel(new FakeTimeProvider(T0));
        model.Update(Snapshot(Task("a")));
        foreach (var n in new[] { "one", "two", "three", "four" })
        {
            model.Notice(n);
        }

        Assert.Equal(["two", "three", "four"], model.Frame()!.Notices);
    }

    private static (int Done, int Running, int Failed, int Waiting) Counts(ProgressFrame f) => (f.Done, f.Running, f.Failed, f.Waiting);
}
