namespace Mothership.Ci.Forge;

/// <summary>One status a context reported on a commit.</summary>
/// <param name="Id">The forge's id of this status.</param>
/// <param name="Context">The reporter's name (Prow: the job's context, <c>pull-foo-unit</c>).</param>
/// <param name="State">Its state.</param>
/// <param name="Description">The one-line text shown beside it, or null.</param>
/// <param name="TargetUrl">The link behind it (the run's page), or null.</param>
/// <param name="CreatedAt">When it was reported.</param>
/// <param name="UpdatedAt">When it last changed.</param>
public sealed record CommitStatus(
    long Id, string Context, CommitState State, string? Description, string? TargetUrl, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
