using System.Globalization;

namespace Mothership.Model.Validation;

/// <summary>
/// Go's <c>time.ParseDuration</c>, the format of every Tekton timeout: a sign, then one or more
/// decimal numbers each with a unit (<c>h</c>, <c>m</c>, <c>s</c>, <c>ms</c>, <c>us</c>/<c>µs</c>,
/// <c>ns</c>), as in <c>1h30m</c> or <c>1.5s</c>; <c>0</c> alone needs no unit.
/// </summary>
public static class GoDuration
{
    private const decimal TicksPerNanosecond = 0.01m;

    /// <summary>
    /// Parses <paramref name="text"/>; false when it is not a Go duration. Negative durations parse
    /// (as in Go); callers that need a non-negative timeout check the sign. Precision below 100ns
    /// (a <see cref="TimeSpan"/> tick) is truncated.
    /// </summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var s = text;
        var negative = false;
        if (s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s == "0")
        {
            return true;
        }

        if (s.Length == 0)
        {
            return false;
        }

        decimal nanoseconds = 0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            var number = s[start..i];
            if (number.Length == 0 || number == "." || number.Count(c => c == '.') > 1 ||
                !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            var unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
            {
                i++;
            }

            decimal? scale = s[unitStart..i] switch
            {
                "ns" => 1m,
                "us" or "µs" or "μs" => 1_000m,
                "ms" => 1_000_000m,
                "s" => 1_000_000_000m,
                "m" => 60m * 1_000_000_000m,
                "h" => 3_600m * 1_000_000_000m,
                _ => null,
            };
            if (scale is null)
            {
                return false;
            }

            // Go rejects durations beyond int64 nanoseconds (about 292 years); checking before
            // multiplying also keeps decimal arithmetic from overflowing.
            if (value > long.MaxValue / scale.Value)
            {
                return false;
            }

            nanoseconds += value * scale.Value;
            if (nanoseconds > long.MaxValue)
            {
                return false;
            }
        }

        var ticks = (long)decimal.Truncate(nanoseconds * TicksPerNanosecond);
        duration = TimeSpan.FromTicks(negative ? -ticks : ticks);
        return true;
    }

    /// <summary>Formats like Go does for whole units: <c>1h0m0s</c>, <c>30s</c>.</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var h = (int)value.TotalHours;
        var text = h > 0 ? $"{h}h{value.Minutes}m" : value.Minutes > 0 ? $"{value.Minutes}m" : "";
        var seconds = value.Seconds + (value.Milliseconds / 1000.0);
        return text + seconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
    }
}
