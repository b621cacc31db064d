using System.Globalization;
using System.Text.RegularExpressions;

namespace Mothership.Model.Validation;

/// <summary>Go's <c>time.ParseDuration</c> format, which Tekton uses for every timeout ("1h30m", "90s", "0").</summary>
public static partial class GoDuration
{
    [GeneratedRegex(@"^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")]
    private static partial Regex Part();

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        var negative = s.StartsWith('-');
        s = s.TrimStart('-', '+');
        if (s == "0")
        {
            return true;
        }

        double ticks = 0;
        while (s.Length > 0)
        {
            var m = Part().Match(s);
            if (!m.Success)
            {
                return false;
            }

            var n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            ticks += n * m.Groups[2].Value switch
            {
                "ns" => 0.01,
                "us" or "µs" or "μs" => TimeSpan.TicksPerMicrosecond,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                _ => TimeSpan.TicksPerHour,
            };
            s = s[m.Length..];
        }

        value = TimeSpan.FromTicks((long)(negative ? -ticks : ticks));
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
