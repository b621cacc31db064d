using Mothership.Ci.Flakes;
using Mothership.Ci.Triggers;
using Mothership.Store;

namespace Mothership.Server.Ci;

/// <summary>
/// The flakes in the store's presubmit results (<see cref="FlakeLedger"/>), for the API, the
/// dashboard and <c>/metrics</c>. Computed from the newest <see cref="Window"/> results and kept
/// for <see cref="CacheFor"/>, so scrapes and page refreshes cost one query a minute between them.
/// Results are pruned with <c>Retention:DeliveryMaxAge</c>, which bounds how far back it sees.
/// </summary>
internal sealed class FlakeReport(IRunStore store, TimeProvider time)
{
    /// <summary>Results read: the newest presubmit results of all repositories.</summary>
    public const int Window = 20_000;

    /// <summary>How long a computed report is served again.</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(1);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private (DateTimeOffset At, IReadOnlyList<Flake> Flakes)? _cached;

    /// <summary>The flakes, newest first.</summary>
    public async Task<IReadOnlyList<Flake>> FlakesAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_cached is { } c && time.GetUtcNow() - c.At < CacheFor)
            {
                return c.Flakes;
            }

            var results = await store.ListJobResultsAsync(new JobResultQuery { Type = JobTypes.Presubmit, Limit = Window }, cancellationToken).ConfigureAwait(false);
            var flakes = FlakeLedger.Find(results);
            _cached = (time.GetUtcNow(), flakes);
            return flakes;
        }
        finally
        {
            _gate.Release();
        }
    }
}
