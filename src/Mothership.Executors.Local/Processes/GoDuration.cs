using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Mothership.Executors.Local.Processes;

/// <summary>Go's duration strings (<c>1h30m</c>, <c>500ms</c>), as Tekton writes timeouts.</summary>
internal static partial class GoDuration
{
    [GeneratedRegex(@"^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")]
    private static partial Regex Part();

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var rest = text.Trim();
        if (rest == "0")
        {
            return true;
        }

        double ticks = 0;
        while (rest.Length > 0)
        {
            var m = Part().Match(rest);
            if (!m.Success)
            {
                return false;
            }

            var n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            ticks += n * m.Groups[2].Value switch
            {
                "ns" => 0.01,
                "us" or "µs" => 10,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                _ => TimeSpan.TicksPerHour,
            };
            rest = rest[m.Length..];
        }

        value = TimeSpan.FromTicks((long)ticks);
        return true;
    }

    /// <summary>Formats like Go's <c>time.Duration.String()</c>: <c>1s</c>, <c>1m0s</c>, <c>1h0m0s</c>, <c>500ms</c>.</summary>
    public static string Format(TimeSpan d)
    {
        if (d == TimeSpan.Zero)
        {
            return "0s";
        }

        if (d < TimeSpan.FromSeconds(1))
        {
            return d.TotalMilliseconds >= 1
                ? d.TotalMilliseconds.ToString("0.######", CultureInfo.InvariantCulture) + "ms"
                : (d.Ticks / 10.0).ToString("0.###", CultureInfo.InvariantCulture) + "µs";
        }

        var sb = new StringBuilder();
        var hours = (long)d.TotalHours;
        if (hours > 0)
        {
            sb.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        }

        if (hours > 0 || d.Minutes > 0)
        {
            sb.Append(d.Minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        }

        var seconds = d.Seconds + (d.Ticks % TimeSpan.TicksPerSecond) / (double)TimeSpan.TicksPerSecond;
        sb.Append(seconds.ToString("0.#########", CultureInfo.InvariantCulture)).Append('s');
        return sb.ToString();
    }
}
