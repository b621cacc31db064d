namespace Mothership.Ci.Forge;

/// <summary>
/// What a Prow-style CI bot asks of a code forge: report statuses, read and write labels and
/// comments, read a pull request and its files, read a file at a ref, decide trust (collaborators,
/// organisation members), and recover lost webhook deliveries. Lists are complete (every page is
/// read). Lookups that the forge answers 404 are null or false as documented on each member;
/// other failures are exceptions.
/// </summary>
public interface IForge
{
    /// <summary>The quota as the last answer reported it; null before the first call.</summary>
    ForgeRateLimit? LastRateLimit { get; }

    /// <summary>Sets <paramref name="context"/>'s status on commit <paramref name="sha"/>.</summary>
    Task<CommitStatus> CreateStatusAsync(
        RepositoryName repository, string sha, CommitState state, string context, string? description, string? targetUrl,
        CancellationToken cancellationToken = default);

    /// <summary>The newest status of each context on <paramref name="gitRef"/> (a sha, branch or tag) and their combination.</summary>
    Task<CombinedStatus> GetCombinedStatusAsync(RepositoryName repository, string gitRef, CancellationToken cancellationToken = default);

    /// <summary>The labels of an issue or pull request.</summary>
    Task<IReadOnlyList<string>> ListLabelsAsync(RepositoryName repository, int number, CancellationToken cancellationToken = default);

    /// <summary>Adds labels to an issue or pull request (creating them in the repository when new); returns all its labels.</summary>
    Task<IReadOnlyList<string>> AddLabelsAsync(RepositoryName repository, int number, IReadOnlyList<string> labels, CancellationToken cancellationToken = default);

    /// <summary>Removes a label from an issue or pull request; false when it did not carry it.</summary>
    Task<bool> RemoveLabelAsync(RepositoryName repository, int number, string label, CancellationToken cancellationToken = default);

    /// <summary>The comments on an issue or pull request's conversation, oldest first.</summary>
    Task<IReadOnlyList<IssueComment>> ListCommentsAsync(RepositoryName repository, int number, CancellationToken cancellationToken = default);

    /// <summary>Writes a comment on an issue or pull request.</summary>
    Task<IssueComment> CreateCommentAsync(RepositoryName repository, int number, string body, CancellationToken cancellationToken = default);

    /// <summary>Replaces a comment's text.</summary>
    Task<IssueComment> EditCommentAsync(RepositoryName repository, long commentId, string body, CancellationToken cancellationToken = default);

    /// <summary>Deletes a comment; false when there was no such comment.</summary>
    Task<bool> DeleteCommentAsync(RepositoryName repository, long commentId, CancellationToken cancellationToken = default);

    /// <summary>A pull request; null when there is none with that number.</summary>
    Task<PullRequest?> GetPullRequestAsync(RepositoryName repository, int number, CancellationToken cancellationToken = default);

    /// <summary>The files a pull request changes.</summary>
    Task<IReadOnlyList<ChangedFile>> ListPullRequestFilesAsync(RepositoryName repository, int number, CancellationToken cancellationToken = default);

    /// <summary>A file's bytes at <paramref name="gitRef"/>; null when the file (or the ref) does not exist.</summary>
    Task<byte[]?> GetFileContentAsync(RepositoryName repository, string path, string gitRef, CancellationToken cancellationToken = default);

    /// <summary>
    /// The entries directly under <paramref name="path"/> at <paramref name="gitRef"/>, in the
    /// forge's order; null when the directory (or the ref) does not exist. A path that names a
    /// file lists that file alone, as GitHub does.
    /// </summary>
    Task<IReadOnlyList<DirectoryEntry>?> ListDirectoryAsync(RepositoryName repository, string path, string gitRef, CancellationToken cancellationToken = default);

    /// <summary>Whether <paramref name="login"/> is a collaborator of the repository (GitHub: 204 yes, 404 no).</summary>
    Task<bool> IsCollaboratorAsync(RepositoryName repository, string login, CancellationToken cancellationToken = default);

    /// <summary>
    /// Whether <paramref name="login"/> is a member of <paramref name="org"/>. When the bot's own
    /// account is not a member, GitHub shows only public membership (its 302 to public_members).
    /// </summary>
    Task<bool> IsOrgMemberAsync(string org, string login, CancellationToken cancellationToken = default);

    /// <summary>The deliveries of a webhook the forge still keeps, newest first.</summary>
    Task<IReadOnlyList<HookDelivery>> ListHookDeliveriesAsync(WebhookRef hook, CancellationToken cancellationToken = default);

    /// <summary>Asks the forge to send a delivery again (it does so asynchronously).</summary>
    Task RedeliverAsync(WebhookRef hook, long deliveryId, CancellationToken cancellationToken = default);

    // ---- Merge pool ----

    /// <summary>The open pull requests of the repository, oldest first, with their labels (every page read).</summary>
    Task<IReadOnlyList<PullRequest>> ListOpenPullRequestsAsync(RepositoryName repository, CancellationToken cancellationToken = default);

    /// <summary>The commit <paramref name="branch"/> points at; null when there is no such branch.</summary>
    Task<string?> GetBranchShaAsync(RepositoryName repository, string branch, CancellationToken cancellationToken = default);

    /// <summary>
    /// Merges pull request <paramref name="number"/> with <paramref name="method"/>, only if its head
    /// is still <paramref name="sha"/>: GitHub's 409 (head moved) and 405 (not mergeable) are outcomes, not exceptions.
    /// </summary>
    Task<MergeResult> MergePullRequestAsync(RepositoryName repository, int number, string sha, MergeMethod method, CancellationToken cancellationToken = default);

    /// <summary>The reviews of a pull request, oldest first, every page read (GitHub: <c>GET /repos/{o}/{r}/pulls/{n}/reviews</c>).</summary>
    Task<IReadOnlyList<PullRequestReview>> ListPullRequestReviewsAsync(RepositoryName repository, int number, CancellationToken cancellationToken = default);

    // ---- Review plugins ----

    /// <summary>The labels the repository has (GitHub: <c>GET /repos/{owner}/{repo}/labels</c>).</summary>
    Task<IReadOnlyList<string>> ListRepositoryLabelsAsync(RepositoryName repository, CancellationToken cancellationToken = default);

    /// <summary>The tree a commit records (<c>GET /repos/{owner}/{repo}/git/commits/{sha}</c>'s <c>tree.sha</c>); null when there is no such commit.</summary>
    Task<string?> GetCommitTreeAsync(RepositoryName repository, string sha, CancellationToken cancellationToken = default);

    /// <summary>
    /// Assigns <paramref name="logins"/> to an issue or pull request; returns those GitHub did not
    /// assign (it ignores, without an error, users who cannot be assigned).
    /// </summary>
    Task<IReadOnlyList<string>> AddAssigneesAsync(RepositoryName repository, int number, IReadOnlyList<string> logins, CancellationToken cancellationToken = default);

    /// <summary>Unassigns <paramref name="logins"/> from an issue or pull request (those not assigned are no error).</summary>
    Task RemoveAssigneesAsync(RepositoryName repository, int number, IReadOnlyList<string> logins, CancellationToken cancellationToken = default);

    /// <summary>
    /// Requests reviews on a pull request from users, or teams written <c>org/team</c>; returns
    /// those GitHub refused (not collaborators, the author). GitHub refuses a whole request for one
    /// such name, so after a refusal each is asked alone.
    /// </summary>
    Task<IReadOnlyList<string>> RequestReviewersAsync(RepositoryName repository, int number, IReadOnlyList<string> logins, CancellationToken cancellationToken = default);

    /// <summary>Withdraws review requests from users, or teams written <c>org/team</c> (those not requested are no error).</summary>
    Task RemoveRequestedReviewersAsync(RepositoryName repository, int number, IReadOnlyList<string> logins, CancellationToken cancellationToken = default);
}
