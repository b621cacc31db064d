using Mothership.Ci.Forge;
using Mothership.Store;

namespace Mothership.Ci.Hooks;

/// <summary>
/// Recovers the deliveries GitHub failed to bring (the server was down, a proxy answered 502):
/// asks GitHub for each watched hook's recent deliveries and has it redeliver, through the same
/// <c>POST /hook</c>, each one that never succeeded and that the store does not hold.
/// </summary>
/// <remarks>
/// GitHub keeps a hook's deliveries for three days and gives a redelivery the delivery's own
/// <c>X-GitHub-Delivery</c>, so the store's dedupe makes a redelivery that raced a late original
/// harmless. A delivery is asked for at most <see cref="MaxRedeliveries"/> times: one the server
/// keeps refusing (a payload over the body limit) is not asked for again on every pass.
/// </remarks>
public sealed class DeliveryReconciler(IForge forge, IRunStore store, TimeProvider time)
{
    /// <summary>Redeliveries asked for one delivery before it is left alone.</summary>
    public const int MaxRedeliveries = 3;

    /// <summary>How far back deliveries are looked at: GitHub keeps three days.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromDays(3);

    /// <summary>One pass over <paramref name="hooks"/>; the deliveries whose redelivery was asked for, by GUID.</summary>
    public async Task<IReadOnlyList<string>> ReconcileAsync(IEnumerable<WebhookRef> hooks, CancellationToken cancellationToken)
    {
        var asked = new List<string>();
        var since = time.GetUtcNow() - Window;
        foreach (var hook in hooks)
        {
            var deliveries = await forge.ListHookDeliveriesAsync(hook, cancellationToken).ConfigureAwait(false);
            foreach (var attempts in deliveries.Where(d => d.DeliveredAt >= since).GroupBy(d => d.Guid, StringComparer.Ordinal))
            {
                if (attempts.Any(d => d.StatusCode is >= 200 and < 300)
                    || attempts.Count(d => d.Redelivery) >= MaxRedeliveries
                    || await store.GetDeliveryAsync(attempts.Key, cancellationToken).ConfigureAwait(false) is not null)
                {
                    continue;
                }

                // The newest attempt stands for the delivery: redelivering any of them sends the same payload.
                var latest = attempts.MaxBy(d => d.DeliveredAt)!;
                await forge.RedeliverAsync(hook, latest.Id, cancellationToken).ConfigureAwait(false);
                asked.Add(attempts.Key);
            }
        }

        return asked;
    }

    /// <summary>
    /// A hook as configured: <c>OWNER/REPO:ID</c> for a repository's hook, <c>ORG:ID</c> for an
    /// organization's; null with <paramref name="error"/> set when it is neither.
    /// </summary>
    public static WebhookRef? ParseHook(string text, out string error)
    {
        error = "";
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !long.TryParse(text.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) || id <= 0)
        {
            error = $"'{text}' is neither OWNER/REPO:HOOK-ID nor ORG:HOOK-ID (the hook's id is in its settings page's URL)";
            return null;
        }

        var owner = text[..colon];
        var parts = owner.Split('/');
        if (parts.Length > 2 || parts.Any(p => p.Length == 0 || p.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))))
        {
            error = $"'{text}': '{owner}' is not a GitHub organization or OWNER/REPO";
            return null;
        }

        return parts.Length == 2 ? WebhookRef.Repository(new RepositoryName(parts[0], parts[1]), id) : WebhookRef.Organization(owner, id);
    }
}
