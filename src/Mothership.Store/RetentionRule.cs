namespace Mothership.Store;

/// <summary>
/// How long finished runs are kept. Successful and failed runs are counted apart; a run is
/// deleted when any rule that applies to it says so. Unset rules keep everything.
/// </summary>
public sealed record RetentionRule
{
    /// <summary>Keep at most this many successful runs per pipeline (newest first).</summary>
    public int? KeepLast { get; init; }
    /// <summary>Keep at most this many failed runs per pipeline; default <see cref="KeepLast"/>.</summary>
    public int? KeepLastFailed { get; init; }
    /// <summary>Delete successful runs completed longer ago than this.</summary>
    public TimeSpan? MaxAge { get; init; }
    /// <summary>Delete failed runs completed longer ago than this; default <see cref="MaxAge"/>.</summary>
    public TimeSpan? FailedMaxAge { get; init; }
}
