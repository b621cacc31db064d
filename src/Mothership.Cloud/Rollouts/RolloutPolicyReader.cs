using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;
using Mothership.Model.Loading;
using Mothership.Model.Validation;

namespace Mothership.Cloud.Rollouts;

/// <summary>Reads <c>spec.promotion.environments[].rollout</c>, reporting each mistake at its file, line, column and field.</summary>
internal static partial class RolloutPolicyReader
{
    private static readonly string[] DayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

    public static RolloutPolicy Read(MapReader r, string environment)
    {
        var canary = r.Map("canary") is { } c ? ReadCanary(c) : null;
        var waves = ReadWaves(r);
        int? maxParallel = r.Int("maxParallelSites");
        if (maxParallel is < 1)
        {
            r.Diagnostics.Error(r.At("maxParallelSites"), $"field '{r.Path}.maxParallelSites': {maxParallel} must be at least 1");
            maxParallel = null;
        }

        var halt = !r.Has("haltOnFailure") || r.Bool("haltOnFailure");
        var budget = ReadBudget(r);
        if (!halt && budget is not null)
        {
            r.Diagnostics.Error(r.At("failureBudget"), $"field '{r.Path}.failureBudget': a budget needs haltOnFailure: true (with haltOnFailure: false no failure halts the rollout)");
        }

        var bake = r.Map("bake") is { } b ? ReadBake(b) : null;
        var gates = r.List("gates", ReadGate);
        var windows = r.Map("windows") is { } w ? ReadWindows(w) : null;
        return r.Finish(new RolloutPolicy
        {
            Environment = environment,
            Canary = canary,
            Waves = waves,
            MaxParallelSites = maxParallel,
            HaltOnFailure = halt,
            FailureBudget = budget,
            Bake = bake,
            Gates = gates,
            Windows = windows,
        });
    }

    private static RolloutCanary ReadCanary(MapReader r)
    {
        var sites = r.Strings("sites");
        var perRegion = r.Int("perRegion");
        if (sites.IsEmpty == perRegion is null)
        {
            r.Diagnostics.Error(r.Location, $"field '{r.Path}': give either sites: [NAME…] or perRegion: N");
        }
        else if (perRegion is < 1)
        {
            r.Diagnostics.Error(r.At("perRegion"), $"field '{r.Path}.perRegion': {perRegion} must be at least 1");
        }

        CheckPatterns(r, "sites", sites);
        return r.Finish(new RolloutCanary { Sites = sites, PerRegion = perRegion });
    }

    private static RolloutWaves ReadWaves(MapReader r)
    {
        if (!r.Has("waves"))
        {
            return new RolloutWaves();
        }

        if (r.Peek("waves") is not null)
        {
            var lists = r.List("waves", w =>
            {
                var sites = w.Strings("sites");
                if (sites.IsEmpty)
                {
                    w.Diagnostics.Error(w.Has("sites") ? w.At("sites") : w.Location, $"field '{w.Path}.sites': a wave names at least one site or glob");
                }

                CheckPatterns(w, "sites", sites);
                return w.Finish(new RolloutWaveSelector { Sites = sites });
            });
            return new RolloutWaves { Lists = lists, Location = r.At("waves") };
        }

        if (r.Map("waves") is not { } m)
        {
            return new RolloutWaves();
        }

        var by = m.RequiredString("by");
        if (by.Length > 0 && by != "region")
        {
            m.Diagnostics.Error(m.At("by"), $"field '{m.Path}.by': '{by}' must be region (or write waves as a list of {{sites: [NAME|GLOB…]}})");
        }

        var order = m.Strings("order");
        foreach (var duplicate in order.GroupBy(o => o, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            m.Diagnostics.Error(m.At("order"), $"field '{m.Path}.order': region '{duplicate.Key}' is named twice");
        }

        return m.Finish(new RolloutWaves { ByRegion = true, RegionOrder = order });
    }

    private static FailureBudget? ReadBudget(MapReader r)
    {
        if (r.String("failureBudget") is not { } text)
        {
            return null;
        }

        var at = r.At("failureBudget");
        if (text.EndsWith('%') && decimal.TryParse(text[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var percent) && percent <= 100)
        {
            return new FailureBudget { Percent = percent, Location = at };
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            return new FailureBudget { Count = count, Location = at };
        }

        r.Diagnostics.Error(at, $"field '{r.Path}.failureBudget': '{text}' is neither a count of sites (3) nor a percentage of them (2%)");
        return null;
    }

    private static RolloutBake ReadBake(MapReader r)
    {
        var duration = TimeSpan.Zero;
        if (r.String("duration") is { } text && !(GoDuration.TryParse(text, out duration) && duration >= TimeSpan.Zero))
        {
            r.Diagnostics.Error(r.At("duration"), $"field '{r.Path}.duration': '{text}' is not a duration such as 15m or 1h");
        }

        var pipeline = r.String("pipeline");
        if (pipeline is not null && !IsPipelineReference(pipeline))
        {
            r.Diagnostics.Error(r.At("pipeline"), $"field '{r.Path}.pipeline': '{pipeline}' must be a Pipeline's name (lower-case letters, digits, '-') or a relative .yaml path inside the site repository");
        }

        if (pipeline is null && !r.Has("duration"))
        {
            r.Diagnostics.Error(r.Location, $"field '{r.Path}': give a duration, a pipeline or both");
        }

        return r.Finish(new RolloutBake { Duration = duration, Pipeline = pipeline });
    }

    private static bool IsPipelineReference(string pipeline) =>
        pipeline.EndsWith(".yaml", StringComparison.Ordinal) || pipeline.EndsWith(".yml", StringComparison.Ordinal)
            ? !pipeline.StartsWith('/') && !pipeline.Contains('\\', StringComparison.Ordinal) && !pipeline.Split('/').Any(p => p is ".." or "")
            : pipeline.Length <= 63 && DnsLabel().IsMatch(pipeline);

    private static RolloutGate ReadGate(MapReader r)
    {
        var before = r.RequiredString("before");
        if (before.Length > 0 && !WaveReference().IsMatch(before))
        {
            r.Diagnostics.Error(r.At("before"), $"field '{r.Path}.before': '{before}' must be canary, wave-N (N from 1) or each");
        }

        ImmutableArray<string> approvers = r.Peek("approvers") is not null ? r.Strings("approvers") : r.String("approvers") is { } one ? [one] : [];
        if (approvers.IsEmpty || approvers.Any(string.IsNullOrWhiteSpace))
        {
            r.Diagnostics.Error(r.Has("approvers") ? r.At("approvers") : r.Location, $"field '{r.Path}.approvers': name the role (or roles) whose holders approve");
        }

        return r.Finish(new RolloutGate { Before = before, Approvers = approvers });
    }

    private static ChangeWindows ReadWindows(MapReader r)
    {
        var zone = TimeZoneInfo.Utc;
        if (r.String("timeZone") is { } id)
        {
            try
            {
                zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            }
            catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                r.Diagnostics.Error(r.At("timeZone"), $"field '{r.Path}.timeZone': '{id}' is not a time zone this machine knows (an IANA id such as Asia/Seoul, Europe/Berlin or UTC)");
            }
        }

        var allow = r.List("allow", ReadAllow);
        var freeze = ImmutableArray.CreateBuilder<FreezePeriod>();
        var days = r.Strings("freeze");
        for (var i = 0; i < days.Length; i++)
        {
            var at = r.At($"freeze[{i}]");
            var parts = days[i].Split("..");
            if (parts.Length is 1 or 2 && DateOnly.TryParseExact(parts[0], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var first)
                && DateOnly.TryParseExact(parts[^1], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var last))
            {
                if (last < first)
                {
                    r.Diagnostics.Error(at, $"field '{r.Path}.freeze[{i}]': '{days[i]}' ends before it starts");
                }

                freeze.Add(new FreezePeriod { First = first, Last = last, Location = at });
            }
            else
            {
                r.Diagnostics.Error(at, $"field '{r.Path}.freeze[{i}]': '{days[i]}' is not a day (2026-12-24) or days (2026-12-31..2027-01-02)");
            }
        }

        return r.Finish(new ChangeWindows { TimeZone = zone, Allow = allow, Freeze = freeze.ToImmutable() });
    }

    private static AllowedHours ReadAllow(MapReader r)
    {
        var range = new AllowedHours();
        if (r.Has("days"))
        {
            var days = new SortedSet<DayOfWeek>();
            var written = r.Strings("days");
            for (var i = 0; i < written.Length; i++)
            {
                if (!AddDays(written[i], days))
                {
                    r.Diagnostics.Error(r.At($"days[{i}]"), $"field '{r.Path}.days[{i}]': '{written[i]}' is not a day (Mon … Sun) or a range of days (Mon..Fri)");
                }
            }

            range = range with { Days = [.. days] };
        }

        if (r.String("hours") is { } hours)
        {
            var m = HourRange().Match(hours);
            if (m.Success && Time(m.Groups[1].Value) is { } start && Time(m.Groups[2].Value) is { } end && start < TimeSpan.FromHours(24) && start != end)
            {
                range = range with { Start = start, End = end };
            }
            else
            {
                r.Diagnostics.Error(r.At("hours"), $"field '{r.Path}.hours': '{hours}' is not a range of hours such as \"09:00-17:00\" (24:00 for midnight; 22:00-06:00 runs past midnight)");
            }
        }

        return r.Finish(range);
    }

    private static TimeSpan? Time(string text)
    {
        var parts = text.Split(':');
        var hour = int.Parse(parts[0], CultureInfo.InvariantCulture);
        var minute = int.Parse(parts[1], CultureInfo.InvariantCulture);
        return minute < 60 && (hour < 24 || (hour == 24 && minute == 0)) ? new TimeSpan(hour, minute, 0) : null;
    }

    /// <summary>Adds <c>Mon</c>, <c>Monday</c> or a range <c>Mon..Fri</c> (wrapping past Sunday: <c>Fri..Mon</c>).</summary>
    private static bool AddDays(string text, SortedSet<DayOfWeek> days)
    {
        var parts = text.Split("..");
        if (parts.Length > 2 || Day(parts[0]) is not { } first || Day(parts[^1]) is not { } last)
        {
            return false;
        }

        for (var d = first; ; d = (DayOfWeek)(((int)d + 1) % 7))
        {
            days.Add(d);
            if (d == last)
            {
                return true;
            }
        }
    }

    private static DayOfWeek? Day(string text)
    {
        var t = text.Trim();
        for (var i = 0; i < DayNames.Length; i++)
        {
            if (t.Length >= 3 && (string.Equals(t, DayNames[i], StringComparison.OrdinalIgnoreCase) || string.Equals(t, ((DayOfWeek)i).ToString(), StringComparison.OrdinalIgnoreCase)))
            {
                return (DayOfWeek)i;
            }
        }

        return null;
    }

    /// <summary>Site names are DNS labels; a glob adds <c>*</c> and <c>?</c>.</summary>
    private static void CheckPatterns(MapReader r, string key, ImmutableArray<string> patterns)
    {
        for (var i = 0; i < patterns.Length; i++)
        {
            if (!SitePattern().IsMatch(patterns[i]))
            {
                r.Diagnostics.Error(r.At($"{key}[{i}]"), $"field '{r.Path}.{key}[{i}]': '{patterns[i]}' is not a site name or glob (lower-case letters, digits, '-', '*', '?')");
            }
        }
    }

    [GeneratedRegex(@"^\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*$")]
    private static partial Regex HourRange();

    [GeneratedRegex("^(canary|wave-[1-9][0-9]*|each)$")]
    private static partial Regex WaveReference();

    [GeneratedRegex("^[a-z0-9*?]([-a-z0-9*?]*[a-z0-9*?])?$")]
    private static partial Regex SitePattern();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();
}
