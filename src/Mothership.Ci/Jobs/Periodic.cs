using System.Collections.Immutable;
using Cronos;

namespace Mothership.Ci.Jobs;

/// <summary>
/// A job run on a timer (Prow's <c>Periodic</c>): exactly one of <c>interval</c>,
/// <c>minimum_interval</c> (Go durations) or <c>cron</c> (5 fields, or 6 with seconds, in UTC).
/// </summary>
public sealed record Periodic : ProwJob
{
    /// <summary>Start a run this long after the previous one started.</summary>
    public TimeSpan? Interval { get; init; }

    /// <summary>Start a run this long after the previous one finished.</summary>
    public TimeSpan? MinimumInterval { get; init; }

    /// <summary>The cron expression as written.</summary>
    public string? Cron { get; init; }

    public ImmutableArray<string> Tags { get; init; } = [];

    /// <summary>The parsed <see cref="Cron"/>.</summary>
    internal CronExpression? CronSchedule { get; init; }

    /// <summary>
    /// When it should next start, strictly after <paramref name="last"/>: for <c>interval</c>,
    /// <paramref name="last"/> is the previous run's start; for <c>minimum_interval</c>, its
    /// completion; for <c>cron</c>, any instant (the next matching time in UTC). Null when a cron
    /// expression never fires again (such as 30 February).
    /// </summary>
    public DateTimeOffset? NextAfter(DateTimeOffset last)
    {
        if (CronSchedule is { } cron)
        {
            return cron.GetNextOccurrence(last, TimeZoneInfo.Utc);
        }

        return Interval is { } interval ? last + interval
            : MinimumInterval is { } minimum ? last + minimum
            : throw new InvalidOperationException($"periodic '{Name}' has no schedule");
    }
}
