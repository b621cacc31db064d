namespace Mothership.Store.Sql;

/// <summary>
/// Times are stored as microseconds since the Unix epoch (UTC) in a BIGINT on both databases:
/// one representation, exact to the microsecond, ordered and indexable alike.
/// </summary>
internal static class UnixMicros
{
    private const long TicksPerMicrosecond = TimeSpan.TicksPerMillisecond / 1000;

    public static long From(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TicksPerMicrosecond;

    public static long? From(DateTimeOffset? time) => time is { } t ? From(t) : null;

    public static DateTimeOffset To(long micros) => new(DateTimeOffset.UnixEpoch.UtcTicks + micros * TicksPerMicrosecond, TimeSpan.Zero);

    public static DateTimeOffset? To(long? micros) => micros is { } m ? To(m) : null;
}
