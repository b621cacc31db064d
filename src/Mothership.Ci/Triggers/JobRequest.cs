using Mothership.Ci.Jobs;

namespace Mothership.Ci.Triggers;

/// <summary>One run of a job to start: the job, why, against what, under which name.</summary>
public sealed record JobRequest
{
    /// <summary><see cref="JobTypes"/>.</summary>
    public required string Type { get; init; }

    public required ProwJob Job { get; init; }

    /// <summary>What it checks out; null for a periodic without a repository.</summary>
    public JobRefs? Refs { get; init; }

    /// <summary>The run's name, also Prow's <c>PROW_JOB_ID</c>; the same request always gets the same one, so a retried delivery starts nothing twice.</summary>
    public required string RunName { get; init; }

    /// <summary>Prow's <c>BUILD_ID</c>.</summary>
    public required string BuildId { get; init; }

    /// <summary>The webhook delivery that asked for it; null for a periodic.</summary>
    public string? Delivery { get; init; }

    /// <summary>The commit its status goes on; null when it reports nowhere.</summary>
    public string? StatusSha { get; init; }

    /// <summary>The status context; null when the job does not report.</summary>
    public string? Context { get; init; }

    /// <summary>The command that runs it again; null for jobs not started by comments.</summary>
    public string? RerunCommand { get; init; }

    /// <summary>Its status is not required to merge.</summary>
    public bool Optional { get; init; }
}
