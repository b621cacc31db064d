namespace Mothership.Store;

/// <summary>
/// A CI job's run as the bot reports it: which job, for which repository, pull request and
/// commit, in what state, and what was last reported to the forge. Kept apart from the run, so a
/// pull request's results outlive the pruning of its runs (<c>/retest</c> and merging read them).
/// States are the caller's strings (the CI bot stores Prow's: <c>triggered</c>, <c>pending</c>,
/// <c>success</c>, <c>failure</c>, <c>aborted</c>, <c>error</c>).
/// </summary>
public sealed record JobResult
{
    /// <summary>The run's uid.</summary>
    public required string Uid { get; init; }

    /// <summary>The run's kind (<c>PipelineRun</c> or <c>TaskRun</c>).</summary>
    public required string RunKind { get; init; }

    public required string RunName { get; init; }

    /// <summary>The job's name.</summary>
    public required string Job { get; init; }

    /// <summary>Prow's job type (<c>presubmit</c>, <c>postsubmit</c>, <c>periodic</c>).</summary>
    public required string Type { get; init; }

    /// <summary><c>owner/name</c>; empty for a periodic without a repository.</summary>
    public string Repository { get; init; } = "";

    /// <summary>The pull request's number; null for other jobs.</summary>
    public int? Pull { get; init; }

    /// <summary>The commit tested and reported on; empty when none.</summary>
    public string Sha { get; init; } = "";

    /// <summary>The base branch (or tag).</summary>
    public string BaseRef { get; init; } = "";

    /// <summary>The status context; null when the job does not report.</summary>
    public string? Context { get; init; }

    /// <summary>Its status is not required to merge.</summary>
    public bool Optional { get; init; }

    /// <summary>The state now.</summary>
    public required string State { get; init; }

    /// <summary>The state last reported to the forge; empty before the first report.</summary>
    public string Reported { get; init; } = "";

    /// <summary>Final: the run ended and its end was reported.</summary>
    public bool Done { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }
}
