using Microsoft.Extensions.Time.Testing;

namespace Mothership.Server.Tests;

/// <summary>
/// A fake clock that counts the timers made on it. A background service waiting on it has made
/// one: a test advances the clock only then, or a service that starts (or loops) late would count
/// its wait from the later time and miss the moment under test.
/// </summary>
internal sealed class CountingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private int _timers;

    public int Timers => Volatile.Read(ref _timers);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Interlocked.Increment(ref _timers);
        return base.CreateTimer(callback, state, dueTime, period);
    }
}
