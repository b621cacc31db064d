using System.Collections.Immutable;
using Mothership.Model.Tekton;

namespace Mothership.Cloud.Rollouts;

/// <summary>
/// One entry of <c>windows.allow</c>: <c>{days: [Mon..Fri], hours: "09:00-17:00"}</c>. The end is
/// excluded; an end at or before the start runs past midnight (<c>22:00-06:00</c>, the day being
/// the one it starts on); <c>24:00</c> ends at midnight. Without days every day, without hours the
/// whole day.
/// </summary>
public sealed record AllowedHours : Located
{
    /// <summary>The days the range starts on.</summary>
    public ImmutableArray<DayOfWeek> Days { get; init; } = [.. Enum.GetValues<DayOfWeek>()];

    public TimeSpan Start { get; init; }

    public TimeSpan End { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Whether local wall-clock time <paramref name="time"/> on <paramref name="day"/> falls in the range.</summary>
    public bool Contains(DayOfWeek day, TimeSpan time)
    {
        if (Start < End)
        {
            return Days.Contains(day) && time >= Start && time < End;
        }

        var previous = (DayOfWeek)(((int)day + 6) % 7);
        return (Days.Contains(day) && time >= Start) || (Days.Contains(previous) && time < End);
    }
}
