using Cronos;

namespace Mothership.Server.Retention;

/// <summary>Cron expressions of the pruning job (Cronos: 5 fields, UTC).</summary>
public static class PruneSchedule
{
    public static bool TryParse(string text, out CronExpression? expression) =>
        CronExpression.TryParse(text, CronFormat.Standard, out expression);
}
