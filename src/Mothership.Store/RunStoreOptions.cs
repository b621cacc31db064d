namespace Mothership.Store;

/// <summary>Connection settings of <see cref="RunStoreFactory"/>; the defaults suit a server.</summary>
public sealed record RunStoreOptions
{
    /// <summary>How long a statement may wait (SQLite: for the write lock; PostgreSQL: to run). Default 30 s.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>SQLite's <c>busy_timeout</c>: how long one attempt waits for a lock. Default 5 s.</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>PostgreSQL: how long opening a connection may take. Default 15 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);
}
