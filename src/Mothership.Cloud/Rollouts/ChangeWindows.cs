using System.Collections.Immutable;
using Mothership.Model.Tekton;

namespace Mothership.Cloud.Rollouts;

/// <summary>
/// <c>rollout.windows</c>: when site deploys may start, in wall-clock time of
/// <see cref="TimeZone"/> — inside one of the <see cref="Allow"/> ranges (any time when there
/// are none) and on no <see cref="Freeze"/> day. Pure: the caller passes the instant.
/// </summary>
public sealed record ChangeWindows : Located
{
    /// <summary>How far <see cref="NextOpening"/> looks ahead before it gives up.</summary>
    public static readonly TimeSpan Horizon = TimeSpan.FromDays(800);

    /// <summary>The zone the ranges and freeze days are written in (an IANA id such as <c>Asia/Seoul</c>; default UTC).</summary>
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Utc;

    public ImmutableArray<AllowedHours> Allow { get; init; } = [];

    public ImmutableArray<FreezePeriod> Freeze { get; init; } = [];

    /// <summary>Whether a deploy may start at <paramref name="instant"/>.</summary>
    public bool IsOpen(DateTimeOffset instant)
    {
        var local = TimeZoneInfo.ConvertTime(instant, TimeZone).DateTime;
        var day = DateOnly.FromDateTime(local);
        foreach (var freeze in Freeze)
        {
            if (freeze.Contains(day))
            {
                return false;
            }
        }

        if (Allow.IsEmpty)
        {
            return true;
        }

        foreach (var range in Allow)
        {
            if (range.Contains(local.DayOfWeek, local.TimeOfDay))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The first instant at or after <paramref name="instant"/> at which the windows are open;
    /// null when they stay closed for <see cref="Horizon"/>. Openness changes only where a range
    /// starts or a day begins, so those wall-clock times are the candidates; one that daylight
    /// saving skips opens when the clocks jump past it.
    /// </summary>
    public DateTimeOffset? NextOpening(DateTimeOffset instant)
    {
        if (IsOpen(instant))
        {
            return instant;
        }

        var first = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, TimeZone).DateTime);
        var starts = Allow.Select(a => a.Start).Append(TimeSpan.Zero).Distinct().Order().ToArray();
        for (var day = first; day <= first.AddDays((int)Horizon.TotalDays); day = day.AddDays(1))
        {
            foreach (var start in starts)
            {
                var candidate = ToInstant(day, start);
                if (candidate > instant && IsOpen(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>The instant of wall-clock <paramref name="time"/> on <paramref name="day"/>: past a spring-forward gap when it falls in one, the earlier of the two when the clocks fall back.</summary>
    private DateTimeOffset ToInstant(DateOnly day, TimeSpan time)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified) + time;
        for (var i = 0; i < 24 * 60 && TimeZone.IsInvalidTime(local); i++)
        {
            local = local.AddMinutes(1);
        }

        var offset = TimeZone.IsAmbiguousTime(local) ? TimeZone.GetAmbiguousTimeOffsets(local).Max() : TimeZone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset);
    }
}
