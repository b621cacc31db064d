using Microsoft.Extensions.Time.Testing;
using Mothership.Model.Limits;
using Mothership.Server.Hosting;

namespace Mothership.Server.Tests.Hosting;

/// <summary>The wake-or-poll rule of the server's loops, on a clock the test moves.</summary>
public sealed class WakeSignalTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = 10000)]
    public async Task WaitAsync_WokenBeforeOrDuring_ReturnsAndManyWakesMakeOneRound()
    {
        var signal = new WakeSignal();
        signal.Wake();
        signal.Wake();
        await signal.WaitAsync(TimeSpan.FromHours(1), _time, Ct);

        // The two wakes made one round: the next wait waits.
        var next = signal.WaitAsync(TimeSpan.FromHours(1), _time, Ct);
        await Task.Delay(50, Ct);
        Assert.False(next.IsCompleted);
        signal.Wake();
        await next;
    }

    [Fact(Timeout = 10000)]
    public async Task WaitAsync_NoWake_ReturnsOnceThePollIntervalPassed()
    {
        var signal = new WakeSignal();
        var wait = signal.WaitAsync(TimeSpan.FromSeconds(10), _time, Ct);
        _time.Advance(TimeSpan.FromSeconds(9));
        await Task.Delay(50, Ct);
        Assert.False(wait.IsCompleted);

        _time.Advance(TimeSpan.FromSeconds(1));
        await wait;
    }

    [Fact(Timeout = 10000)]
    public async Task WaitAsync_PollLongerThanATimerWaits_WakesAtTheLongestWait()
    {
        var signal = new WakeSignal();
        // Ten poll intervals of a 1000h lease's longest poll (333h): past what a timer can wait.
        var wait = signal.WaitAsync(TimeSpan.FromHours(3333), _time, Ct);

        _time.Advance(InputLimits.MaxTimeout);
        await wait;
    }

    [Fact(Timeout = 10000)]
    public async Task WaitAsync_Stopped_Throws()
    {
        var signal = new WakeSignal();
        using var stop = new CancellationTokenSource();
        var wait = signal.WaitAsync(TimeSpan.FromHours(1), _time, stop.Token);

        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
    }
}
