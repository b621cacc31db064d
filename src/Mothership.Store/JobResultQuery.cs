namespace Mothership.Store;

/// <summary>Filters of <see cref="IRunStore.ListJobResultsAsync"/>; every filter is optional.</summary>
public sealed record JobResultQuery
{
    /// <summary><c>owner/name</c>.</summary>
    public string? Repository { get; init; }

    public int? Pull { get; init; }

    public string? Sha { get; init; }

    public string? Job { get; init; }

    /// <summary>Prow's job type (<c>presubmit</c>, <c>postsubmit</c>, <c>periodic</c>): job names are unique per type, not across types.</summary>
    public string? Type { get; init; }

    /// <summary>At most this many, newest first. Default 100.</summary>
    public int Limit { get; init; } = 100;
}
