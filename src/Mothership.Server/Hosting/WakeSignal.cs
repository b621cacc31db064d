using System.Threading.Channels;
using Mothership.Model.Limits;

namespace Mothership.Server.Hosting;

/// <summary>
/// The "read when told, else every poll interval" rule of the server's background loops (a run's
/// watch and its log tail, the promotion follow-ups), kept once: <see cref="Wake"/> says something
/// changed, and any number of wakes while the loop works make one more round;
/// <see cref="WaitAsync"/> returns at the first wake or once the poll interval has passed.
/// </summary>
internal sealed class WakeSignal
{
    private readonly Channel<bool> _woken = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Something changed: the loop's wait, now or next, returns at once.</summary>
    public void Wake() => _woken.Writer.TryWrite(true);

    /// <summary>
    /// Waits for a wake or for <paramref name="poll"/> on <paramref name="time"/>'s clock (at most
    /// <see cref="InputLimits.MaxTimeout"/>: a longer poll, as ten poll intervals of a long lease make,
    /// wakes earlier), and takes the wake (the round after it covers it).
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="stop"/> was cancelled.</exception>
    public async Task WaitAsync(TimeSpan poll, TimeProvider time, CancellationToken stop)
    {
        using var timeout = new CancellationTokenSource(InputLimits.TimerDelay(poll), time);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop, timeout.Token);
        try
        {
            await _woken.Reader.WaitToReadAsync(wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            // The poll interval passed: a round anyway (another replica may have changed something).
        }

        _woken.Reader.TryRead(out _);
    }
}
