using Microsoft.Extensions.Time.Testing;

namespace Mothership.Server.Tests;

/// <summary>
/// A fake clock that counts the timers made on it and the times they fired. A background service
/// waiting on it has made one: a test advances the clock only then, or a service that starts (or
/// loops) late would count its wait from the later time and miss the moment under test. A timer
/// due by the new time fires inside <see cref="FakeTimeProvider.Advance"/>, so right after it
/// <see cref="Fired"/> tells for certain whether a waiting service was woken.
/// </summary>
internal sealed class CountingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private int _timers;
    private int _fired;

    public int Timers => Volatile.Read(ref _timers);

    public int Fired => Volatile.Read(ref _fired);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        // Counted once the base has registered it, due from its own clock: counted before, a test
        // could advance the clock between the count and the registration and so move the timer's
        // due time past the moment under test (CI saw the 00:05 prune never fire).
        var timer = base.CreateTimer(s =>
        {
            Interlocked.Increment(ref _fired);
            callback(s);
        }, state, dueTime, period);
        Interlocked.Increment(ref _timers);
        return timer;
    }
}
