using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Mothership.Ci.Forge;

/// <summary>
/// <see cref="IForge"/> and <see cref="ICheckRuns"/> as a GitHub App: every call about a repository
/// goes out with the token of the installation that serves it, every call about an organisation
/// (membership, its hooks) with the organisation's installation's token (<see cref="GitHubAppTokens"/>
/// finds them and keeps the tokens fresh). Each installation has its own <see cref="GitHubForge"/>,
/// so rate limits (an installation's own quota) are waited out as a token's are.
/// </summary>
public sealed partial class GitHubAppForge : IForge, ICheckRuns
{
    private readonly GitHubForgeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<GitHubForge>? _logger;
    private readonly ConcurrentDictionary<long, GitHubForge> _forges = new();
    private GitHubForge? _last;

    /// <summary>A forge that speaks as <paramref name="app"/>'s installations on the GitHub at <see cref="GitHubForgeOptions.ApiUrl"/>.</summary>
    public GitHubAppForge(
        GitHubForgeOptions options, GitHubAppCredentials app, TimeProvider? time = null,
        ILogger<GitHubForge>? logger = null, ILogger<GitHubAppTokens>? tokensLogger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(app);
        _options = options;
        _time = time ?? TimeProvider.System;
        _logger = logger;
        Tokens = new GitHubAppTokens(options, app, _time, tokensLogger);
    }

    /// <summary>The installations and their tokens.</summary>
    public GitHubAppTokens Tokens { get; }

    /// <inheritdoc/>
    /// <remarks>The quota of the installation used last (each installation has its own).</remarks>
    public ForgeRateLimit? LastRateLimit => Volatile.Read(ref _last)?.LastRateLimit;

    /// <inheritdoc/>
    public async Task<CommitStatus> CreateStatusAsync(
        RepositoryName repository, string sha, CommitState state, string context, string? description, string? targetUrl,
        CancellationToken cancellationToken = default) =>
        await (await ForAsync(repository, cancellationToken).ConfigureAwait(false))
            .CreateStatusAsync(repository, sha, state, context, description, targetUrl, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<CombinedStatus> GetCombinedStatusAsync(RepositoryName repository, string gitRef, CancellationToken cancellationToken = default) =>
        await (await ForAsync(repository, cancellationToken).ConfigureAwait(false)).GetCombinedStatusAsync(repository, gitRef, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<string>> ListLabelsAsync(RepositoryName repository, int number, CancellationToken cancellationToken = default) =>
        await (await ForAsync(repository, cancellationToken).ConfigureAwait(false)).ListLabelsAsync(repository, number, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<string>> AddLabelsAsync(RepositoryName repository, int number, IReadOnlyList<string> labels, CancellationToken cancellationToken = default) =>
        await (await ForAsync(repository, cancellationToken).ConfigureAwait(false)).AddLabelsAsync(repository, number, labels, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<bool> RemoveLabelAsync(RepositoryName repository, int number, string label, CancellationToken cancellationToken = default) =>
        await (await ForAsync(repository, cancellationToken).ConfigureAwait(false)).RemoveLabelAsync(repository, number, label, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<IssueComment>> ListCommentsAsync(RepositoryName repository, int number, CancellationToken cancellationToken = default) =>
        await (await ForAsync(repository, cancellationToken).ConfigureAwait(false)).ListCommentsAsync(repository, number, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<IssueComment> CreateCommentAsync(RepositoryName repository, int number, string body, CancellationToken cancellationToken = default) =>
        await (await ForAsync(repository, cancellationToken).ConfigureAwait(false)).CreateCommentAsync(repository, number, body, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<IssueComment> EditCommentAsync(RepositoryName repository, long commentId, string body, CancellationToken cancellationToken = default) =>
        await (await ForAsync(repository, cancellationToken).ConfigureAwait(false)).EditCommentAsync(repository, commentId, body, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<bool> DeleteCommentAsync(RepositoryName repository, long commentId, CancellationToken cancellationToken = default) =>
        await (await ForAsync(repository, cancellationToken).ConfigureAwait(false)).DeleteCommentAsync(repository, commentId, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<PullRequest?> GetPullRequestAsync(RepositoryName repository, int number, CancellationToken cancellationToken = default) =>
        await (await ForAsync(repository, cancellationToken).ConfigureAwait(false)).GetPullRequestAsync(repository, number, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ChangedFile>> ListPullRequestFilesAsync(RepositoryName repository, int number, CancellationToken cancellationToken = default) =>
        await (await ForAsync(repository, cancellationToken).ConfigureAwait(false)).ListPullRequestFilesAsync(repository, number, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<byte[]?> GetFileContentAsync(RepositoryName repository, string path, string gitRef, CancellationToken cancellationToken = default) =>
        await (await ForAsync(repository, cancellationToken).ConfigureAwait(false)).GetFileContentAsync(repository, path, gitRef, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<DirectoryEntry>?> ListDirectoryAsync(RepositoryName repository, string path, string gitRef, CancellationToken cancellationToken = default) =>
        await (await ForAsync(repository, cancellationToken).ConfigureAwait(false)).ListDirectoryAsync(repository, path, gitRef, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<bool> IsCollaboratorAsync(RepositoryName repository, string login, CancellationToken cancellationToken = default) =>
        await (await ForAsync(repository, cancellationToken).ConfigureAwait(false)).IsCollaboratorAsync(repository, login, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<bool> IsOrgMemberAsync(string org, string login, CancellationToken cancellationToken = default) =>
        await (await ForOrganizationAsync(org, cancellationToken).ConfigureAwait(false)).IsOrgMemberAsync(org, login, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<HookDelivery>> ListHookDeliveriesAsync(WebhookRef hook, CancellationToken cancellationToken = default) =>
        await (await ForHookAsync(hook, cancellationToken).ConfigureAwait(false)).ListHookDeliveriesAsync(hook, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task RedeliverAsync(WebhookRef hook, long deliveryId, CancellationToken cancellationToken = default) =>
        await (await ForHookAsync(hook, cancellationToken).ConfigureAwait(false)).RedeliverAsync(hook, deliveryId, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<PullRequest>> ListOpenPullRequestsAsync(RepositoryName repository, CancellationToken cancellationToken = default) =>
        await (await ForAsync(repository, cancellationToken).ConfigureAwait(false)).ListOpenPullRequestsAsync(repository, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<string?> GetBranchShaAsync(RepositoryName repository, string branch, CancellationToken cancellationToken = default) =>
        await (await ForAsync(repository, cancellationToken).ConfigureAwait(false)).GetBranchShaAsync(repository, branch, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<MergeResult> MergePullRequestAsync(RepositoryName repository, int number, string sha, MergeMethod method, CancellationToken cancellationToken = default) =>
        await (await ForAsync(repository, cancellationToken).ConfigureAwait(false)).MergePullRequestAsync(repository, number, sha, method, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<PullRequestReview>> ListPullRequestReviewsAsync(RepositoryName repository, int number, CancellationToken cancellationToken = default) =>
        await (await ForAsync(repository, cancellationToken).ConfigureAwait(false)).ListPullRequestReviewsAsync(repository, number, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<string>> ListRepositoryLabelsAsync(RepositoryName repository, CancellationToken cancellationToken = default) =>
        await (await ForAsync(repository, cancellationToken).ConfigureAwait(false)).ListRepositoryLabelsAsync(repository, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<string?> GetCommitTreeAsync(RepositoryName repository, string sha, CancellationToken cancellationToken = default) =>
        await (await ForAsync(repository, cancellationToken).ConfigureAwait(false)).GetCommitTreeAsync(repository, sha, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<string>> AddAssigneesAsync(RepositoryName repository, int number, IReadOnlyList<string> logins, CancellationToken cancellationToken = default) =>
        await (await ForAsync(repository, cancellationToken).ConfigureAwait(false)).AddAssigneesAsync(repository, number, logins, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task RemoveAssigneesAsync(RepositoryName repository, int number, IReadOnlyList<string> logins, CancellationToken cancellationToken = default) =>
        await (await ForAsync(repository, cancellationToken).ConfigureAwait(false)).RemoveAssigneesAsync(repository, number, logins, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<string>> RequestReviewersAsync(RepositoryName repository, int number, IReadOnlyList<string> logins, CancellationToken cancellationToken = default) =>
        await (await ForAsync(repository, cancellationToken).ConfigureAwait(false)).RequestReviewersAsync(repository, number, logins, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task RemoveRequestedReviewersAsync(RepositoryName repository, int number, IReadOnlyList<string> logins, CancellationToken cancellationToken = default) =>
        await (await ForAsync(repository, cancellationToken).ConfigureAwait(false)).RemoveRequestedReviewersAsync(repository, number, logins, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<CheckRun>> ListCheckRunsAsync(RepositoryName repository, string sha, string name, CancellationToken cancellationToken = default) =>
        await (await ForAsync(repository, cancellationToken).ConfigureAwait(false)).ListCheckRunsAsync(repository, sha, name, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<CheckRun> CreateCheckRunAsync(RepositoryName repository, CheckRunReport report, CancellationToken cancellationToken = default) =>
        await (await ForAsync(repository, cancellationToken).ConfigureAwait(false)).CreateCheckRunAsync(repository, report, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<CheckRun> UpdateCheckRunAsync(RepositoryName repository, long id, CheckRunReport report, CancellationToken cancellationToken = default) =>
        await (await ForAsync(repository, cancellationToken).ConfigureAwait(false)).UpdateCheckRunAsync(repository, id, report, cancellationToken).ConfigureAwait(false);

    private async Task<GitHubForge> ForAsync(RepositoryName repository, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return Forge(await Tokens.InstallationForRepositoryAsync(repository, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// A token of the installation that covers <paramref name="repository"/>, valid for at least
    /// the few minutes before its renewal: what a checkout of a private repository fetches with.
    /// </summary>
    public async Task<string> TokenForAsync(RepositoryName repository, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var installation = await Tokens.InstallationForRepositoryAsync(repository, cancellationToken).ConfigureAwait(false);
        return await Tokens.TokenAsync(installation, cancellationToken).ConfigureAwait(false);
    }

    private async Task<GitHubForge> ForOrganizationAsync(string org, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(org);
        return Forge(await Tokens.InstallationForOrganizationAsync(org, cancellationToken).ConfigureAwait(false));
    }

    private Task<GitHubForge> ForHookAsync(WebhookRef hook, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hook);
        return hook.OwningRepository is { } repository ? ForAsync(repository, cancellationToken) : ForOrganizationAsync(hook.OwningOrganization!, cancellationToken);
    }

    private GitHubForge Forge(long installationId)
    {
        var forge = _forges.GetOrAdd(
            installationId,
            id => new GitHubForge(_options, new GitHubAppTokens.InstallationCredentialStore(Tokens, id), _time, _logger));
        Volatile.Write(ref _last, forge);
        return forge;
    }
}
