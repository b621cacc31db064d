namespace Mothership.Ci.Forge;

/// <summary>What a check run is created or updated with.</summary>
public sealed record CheckRunReport
{
    /// <summary>The check's name (Prow: the job's context).</summary>
    public required string Name { get; init; }

    /// <summary>The commit it reports on.</summary>
    public required string HeadSha { get; init; }

    /// <summary>Where it stands.</summary>
    public required CheckRunStatus Status { get; init; }

    /// <summary>How it ended; set exactly when <see cref="Status"/> is <see cref="CheckRunStatus.Completed"/>.</summary>
    public CheckRunConclusion? Conclusion { get; init; }

    /// <summary>The link behind "Details" (the run's dashboard page), or null.</summary>
    public string? DetailsUrl { get; init; }

    /// <summary>The reporter's own id for it (the run's uid), by which it is found again.</summary>
    public string? ExternalId { get; init; }

    /// <summary>When it started running, or null.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When it completed, or null.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>What its page shows, or null to leave it as it is.</summary>
    public CheckRunOutput? Output { get; init; }
}
