using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;
using Gh = Octokit;

namespace Mothership.Ci.Forge;

/// <summary>
/// <see cref="IForge"/> on GitHub's REST API through Octokit, at <see cref="GitHubForgeOptions.ApiUrl"/>
/// (github.com, GitHub Enterprise or a test fake). Every call waits out GitHub's rate limits: a
/// 403 or 429 that carries <c>Retry-After</c> (a secondary limit), an exhausted quota
/// (<c>X-RateLimit-Remaining: 0</c>, waited until its reset) or a secondary limit without a
/// header (waited <see cref="GitHubForgeOptions.SecondaryLimitWait"/>, doubled each time) is
/// tried again, at most <see cref="GitHubForgeOptions.MaxAttempts"/> times in all and never
/// after a wait longer than <see cref="GitHubForgeOptions.MaxWait"/>. Waits run on the given
/// <see cref="TimeProvider"/>.
/// </summary>
/// <remarks>
/// Octokit's calls take no cancellation token: cancelling stops the waits between attempts, not
/// a request in flight. Webhook deliveries are not in Octokit; they go through its
/// <see cref="Gh.IConnection"/> with GitHub's paths, so they share its authentication, rate-limit
/// bookkeeping and error mapping.
/// </remarks>
public sealed partial class GitHubForge : IForge, ICheckRuns
{
    private readonly Gh.IGitHubClient _client;
    private readonly GitHubForgeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _pipeline;

    /// <summary>
    /// A forge that authenticates with what <paramref name="credentials"/> yields for each request:
    /// a personal or bot token (<see cref="WithToken"/>), or a store that mints and renews GitHub
    /// App installation tokens.
    /// </summary>
    public GitHubForge(GitHubForgeOptions options, Gh.ICredentialStore credentials, TimeProvider? time = null, ILogger<GitHubForge>? logger = null)
        : this(CreateClient(options, credentials), options, time, logger)
    {
    }

    /// <summary>A forge on a client built elsewhere (its base address and credentials are the client's).</summary>
    public GitHubForge(Gh.IGitHubClient client, GitHubForgeOptions options, TimeProvider? time = null, ILogger<GitHubForge>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _client = client;
        _options = options;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _pipeline = BuildPipeline();
    }

    /// <summary>A forge authenticated by a token (a bot account's personal access token).</summary>
    public static GitHubForge WithToken(GitHubForgeOptions options, string token, TimeProvider? time = null, ILogger<GitHubForge>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        return new GitHubForge(options, new Gh.Internal.InMemoryCredentialStore(new Gh.Credentials(token)), time, logger);
    }

    /// <inheritdoc/>
    public ForgeRateLimit? LastRateLimit =>
        _client.GetLastApiInfo()?.RateLimit is { } r && (r.Limit > 0 || r.Remaining > 0 || r.ResetAsUtcEpochSeconds > 0)
            ? new ForgeRateLimit(r.Limit, r.Remaining, SafeReset(r.ResetAsUtcEpochSeconds))
            : null;

    private Gh.ApiOptions Pages => new() { PageSize = _options.PageSize };

    /// <inheritdoc/>
    public Task<CommitStatus> CreateStatusAsync(
        RepositoryName repository, string sha, CommitState state, string context, string? description, string? targetUrl,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentException.ThrowIfNullOrEmpty(sha);
        ArgumentException.ThrowIfNullOrEmpty(context);
        var status = new Gh.NewCommitStatus { State = ToOctokit(state), Context = context, Description = description, TargetUrl = targetUrl };
        return CallAsync(
            async () => ToStatus(await _client.Repository.Status.Create(repository.Owner, repository.Name, sha, status).ConfigureAwait(false)),
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<CombinedStatus> GetCombinedStatusAsync(RepositoryName repository, string gitRef, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentException.ThrowIfNullOrEmpty(gitRef);
        return CallAsync(
            async () =>
            {
                var combined = await _client.Repository.Status.GetCombined(repository.Owner, repository.Name, gitRef).ConfigureAwait(false);
                return new CombinedStatus(combined.Sha, FromOctokit(combined.State), [.. combined.Statuses.Select(ToStatus)]);
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<string>> ListLabelsAsync(RepositoryName repository, int number, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return CallAsync(
            async () => Names(await _client.Issue.Labels.GetAllForIssue(repository.Owner, repository.Name, number, Pages).ConfigureAwait(false)),
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<string>> AddLabelsAsync(RepositoryName repository, int number, IReadOnlyList<string> labels, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(labels);
        return CallAsync(
            async () => Names(await _client.Issue.Labels.AddToIssue(repository.Owner, repository.Name, number, [.. labels]).ConfigureAwait(false)),
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<bool> RemoveLabelAsync(RepositoryName repository, int number, string label, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentException.ThrowIfNullOrEmpty(label);
        return CallAsync(
            async () =>
            {
                try
                {
                    // Octokit puts the name in the path as it is: "do-not-merge/hold" would become two
                    // segments, and GitHub answers 404. Escaped, GitHub reads it back as one name.
                    await _client.Issue.Labels.RemoveFromIssue(repository.Owner, repository.Name, number, Uri.EscapeDataString(label)).ConfigureAwait(false);
                    return true;
                }
                catch (Gh.NotFoundException)
                {
                    // GitHub answers 404 "Label does not exist" when the issue does not carry it.
                    return false;
                }
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<IssueComment>> ListCommentsAsync(RepositoryName repository, int number, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return CallAsync<IReadOnlyList<IssueComment>>(
            async () => [.. (await _client.Issue.Comment.GetAllForIssue(repository.Owner, repository.Name, number, Pages).ConfigureAwait(false)).Select(ToComment)],
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IssueComment> CreateCommentAsync(RepositoryName repository, int number, string body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentException.ThrowIfNullOrEmpty(body);
        return CallAsync(
            async () => ToComment(await _client.Issue.Comment.Create(repository.Owner, repository.Name, number, body).ConfigureAwait(false)),
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IssueComment> EditCommentAsync(RepositoryName repository, long commentId, string body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentException.ThrowIfNullOrEmpty(body);
        return CallAsync(
            async () => ToComment(await _client.Issue.Comment.Update(repository.Owner, repository.Name, commentId, body).ConfigureAwait(false)),
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<bool> DeleteCommentAsync(RepositoryName repository, long commentId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return CallAsync(
            async () =>
            {
                try
                {
                    await _client.Issue.Comment.Delete(repository.Owner, repository.Name, commentId).ConfigureAwait(false);
                    return true;
                }
                catch (Gh.NotFoundException)
                {
                    // Already gone: deleting is done either way, and the caller learns it was not there.
                    return false;
                }
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<PullRequest?> GetPullRequestAsync(RepositoryName repository, int number, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return CallOrNullAsync(async () => ToPullRequest(await _client.PullRequest.Get(repository.Owner, repository.Name, number).ConfigureAwait(false)), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<ChangedFile>> ListPullRequestFilesAsync(RepositoryName repository, int number, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return CallAsync<IReadOnlyList<ChangedFile>>(
            async () => [.. (await _client.PullRequest.Files(repository.Owner, repository.Name, number, Pages).ConfigureAwait(false))
                .Select(f => new ChangedFile(f.FileName, f.Status, f.PreviousFileName, f.Additions, f.Deletions))],
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<byte[]?> GetFileContentAsync(RepositoryName repository, string path, string gitRef, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(gitRef);
        return CallOrNullAsync(async () => await _client.Repository.Content.GetRawContentByRef(repository.Owner, repository.Name, path, gitRef).ConfigureAwait(false), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<DirectoryEntry>?> ListDirectoryAsync(RepositoryName repository, string path, string gitRef, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(gitRef);
        return CallOrNullAsync(
            async () =>
            {
                var entries = await _client.Repository.Content.GetAllContentsByRef(repository.Owner, repository.Name, path, gitRef).ConfigureAwait(false);
                return (IReadOnlyList<DirectoryEntry>?)[.. entries.Select(e => new DirectoryEntry(e.Name, e.Path, e.Type.StringValue))];
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<bool> IsCollaboratorAsync(RepositoryName repository, string login, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentException.ThrowIfNullOrEmpty(login);
        return CallAsync(() => _client.Repository.Collaborator.IsCollaborator(repository.Owner, repository.Name, login), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<bool> IsOrgMemberAsync(string org, string login, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(org);
        ArgumentException.ThrowIfNullOrEmpty(login);
        return CallAsync(() => _client.Organization.Member.CheckMember(org, login), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<HookDelivery>> ListHookDeliveriesAsync(WebhookRef hook, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hook);
        return CallAsync<IReadOnlyList<HookDelivery>>(
            async () =>
            {
                // Cursor pagination: each page's Link names the next one (rel="next") until none does.
                var deliveries = new List<HookDelivery>();
                Uri? next = new($"{hook.PathPrefix}/deliveries?per_page={_options.PageSize}", UriKind.Relative);
                while (next is not null)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var page = await _client.Connection.Get<List<HookDeliveryItem>>(next, null).ConfigureAwait(false);
                    deliveries.AddRange((page.Body ?? []).Select(d => d.ToDelivery()));
                    next = page.HttpResponse.ApiInfo?.Links is { } links && links.TryGetValue("next", out var link) ? link : null;
                }

                return deliveries;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task RedeliverAsync(WebhookRef hook, long deliveryId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hook);
        return CallAsync(
            async () =>
            {
                var status = await _client.Connection.Post(new Uri($"{hook.PathPrefix}/deliveries/{deliveryId}/attempts", UriKind.Relative), cancellationToken).ConfigureAwait(false);
                if (status != HttpStatusCode.Accepted && (int)status is < 200 or >= 300)
                {
                    throw new Gh.ApiException($"redelivery of {deliveryId} on {hook} answered {(int)status}", status);
                }

                return true;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<PullRequest>> ListOpenPullRequestsAsync(RepositoryName repository, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var request = new Gh.PullRequestRequest { State = Gh.ItemStateFilter.Open, SortProperty = Gh.PullRequestSort.Created, SortDirection = Gh.SortDirection.Ascending };
        return CallAsync<IReadOnlyList<PullRequest>>(
            async () => [.. (await _client.PullRequest.GetAllForRepository(repository.Owner, repository.Name, request, Pages).ConfigureAwait(false)).Select(ToPullRequest)],
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<string?> GetBranchShaAsync(RepositoryName repository, string branch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentException.ThrowIfNullOrEmpty(branch);
        return CallOrNullAsync(async () => (await _client.Git.Reference.Get(repository.Owner, repository.Name, "heads/" + branch).ConfigureAwait(false)).Object?.Sha, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<MergeResult> MergePullRequestAsync(RepositoryName repository, int number, string sha, MergeMethod method, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentException.ThrowIfNullOrEmpty(sha);
        var merge = new Gh.MergePullRequest
        {
            Sha = sha,
            MergeMethod = method switch
            {
                MergeMethod.Squash => Gh.PullRequestMergeMethod.Squash,
                MergeMethod.Rebase => Gh.PullRequestMergeMethod.Rebase,
                _ => Gh.PullRequestMergeMethod.Merge,
            },
        };
        return CallAsync(
            async () =>
            {
                try
                {
                    var merged = await _client.PullRequest.Merge(repository.Owner, repository.Name, number, merge).ConfigureAwait(false);
                    return new MergeResult(merged.Merged ? MergeOutcome.Merged : MergeOutcome.NotMergeable, merged.Merged ? merged.Sha : null, merged.Message ?? "");
                }
                catch (Gh.PullRequestNotMergeableException e)
                {
                    return new MergeResult(MergeOutcome.NotMergeable, null, e.Message);
                }
                catch (Gh.PullRequestMismatchException e)
                {
                    return new MergeResult(MergeOutcome.HeadModified, null, e.Message);
                }
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<PullRequestReview>> ListPullRequestReviewsAsync(RepositoryName repository, int number, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return CallAsync<IReadOnlyList<PullRequestReview>>(
            async () => [.. (await _client.PullRequest.Review.GetAll(repository.Owner, repository.Name, number, Pages).ConfigureAwait(false))
                .Select(r => new PullRequestReview(r.Id, r.User?.Login ?? "", r.State.StringValue.ToLowerInvariant(), r.Body ?? "", r.CommitId ?? "",
                    r.SubmittedAt == default ? null : r.SubmittedAt, r.HtmlUrl))],
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<string>> ListRepositoryLabelsAsync(RepositoryName repository, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return CallAsync(
            async () => Names(await _client.Issue.Labels.GetAllForRepository(repository.Owner, repository.Name, Pages).ConfigureAwait(false)),
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<string?> GetCommitTreeAsync(RepositoryName repository, string sha, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentException.ThrowIfNullOrEmpty(sha);
        return CallOrNullAsync(
            async () =>
            {
                try
                {
                    return (await _client.Git.Commit.Get(repository.Owner, repository.Name, sha).ConfigureAwait(false)).Tree?.Sha;
                }
                catch (Gh.ApiValidationException)
                {
                    // GitHub answers 422 "No commit found for SHA" for a sha it cannot resolve.
                    return null;
                }
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<string>> AddAssigneesAsync(RepositoryName repository, int number, IReadOnlyList<string> logins, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(logins);
        return CallAsync<IReadOnlyList<string>>(
            async () =>
            {
                var issue = await _client.Issue.Assignee.AddAssignees(repository.Owner, repository.Name, number, new Gh.AssigneesUpdate([.. logins])).ConfigureAwait(false);
                var assigned = (issue.Assignees ?? []).Select(a => a.Login).ToHashSet(StringComparer.OrdinalIgnoreCase);
                return [.. logins.Where(l => !assigned.Contains(l))];
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task RemoveAssigneesAsync(RepositoryName repository, int number, IReadOnlyList<string> logins, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(logins);
        return CallAsync(
            async () => await _client.Issue.Assignee.RemoveAssignees(repository.Owner, repository.Name, number, new Gh.AssigneesUpdate([.. logins])).ConfigureAwait(false),
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<string>> RequestReviewersAsync(RepositoryName repository, int number, IReadOnlyList<string> logins, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(logins);
        return CallAsync<IReadOnlyList<string>>(
            async () =>
            {
                if (await TryRequestAsync(logins).ConfigureAwait(false))
                {
                    return [];
                }

                // One refused name fails the whole request (422): ask for each alone to learn which.
                var refused = new List<string>();
                foreach (var login in logins)
                {
                    if (!await TryRequestAsync([login]).ConfigureAwait(false))
                    {
                        refused.Add(login);
                    }
                }

                return refused;
            },
            cancellationToken);

        async Task<bool> TryRequestAsync(IReadOnlyList<string> names)
        {
            try
            {
                await _client.PullRequest.ReviewRequest.Create(repository.Owner, repository.Name, number, ReviewRequest(repository, names)).ConfigureAwait(false);
                return true;
            }
            catch (Gh.ApiValidationException)
            {
                return false;
            }
        }
    }

    /// <inheritdoc/>
    public Task RemoveRequestedReviewersAsync(RepositoryName repository, int number, IReadOnlyList<string> logins, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(logins);
        return CallAsync(
            async () =>
            {
                await _client.PullRequest.ReviewRequest.Delete(repository.Owner, repository.Name, number, ReviewRequest(repository, logins)).ConfigureAwait(false);
                return true;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<CheckRun>> ListCheckRunsAsync(RepositoryName repository, string sha, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentException.ThrowIfNullOrEmpty(sha);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return CallAsync<IReadOnlyList<CheckRun>>(
            async () => [.. (await _client.Check.Run.GetAllForReference(repository.Owner, repository.Name, sha, new Gh.CheckRunRequest { CheckName = name }, Pages)
                .ConfigureAwait(false)).CheckRuns.Select(ToCheckRun)],
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<CheckRun> CreateCheckRunAsync(RepositoryName repository, CheckRunReport report, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(report);
        var run = new Gh.NewCheckRun(report.Name, report.HeadSha)
        {
            Status = ToOctokit(report.Status),
            Conclusion = report.Conclusion is { } c ? ToOctokit(c) : null,
            DetailsUrl = report.DetailsUrl,
            ExternalId = report.ExternalId,
            StartedAt = report.StartedAt,
            CompletedAt = report.CompletedAt,
            Output = ToOctokit(report.Output),
        };
        return CallAsync(
            async () => ToCheckRun(await _client.Check.Run.Create(repository.Owner, repository.Name, run).ConfigureAwait(false)),
            cancellationToken);
    }

    /// <inheritdoc/>
    public Task<CheckRun> UpdateCheckRunAsync(RepositoryName repository, long id, CheckRunReport report, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(report);
        var update = new Gh.CheckRunUpdate
        {
            Name = report.Name,
            Status = ToOctokit(report.Status),
            Conclusion = report.Conclusion is { } c ? ToOctokit(c) : null,
            DetailsUrl = report.DetailsUrl,
            ExternalId = report.ExternalId,
            StartedAt = report.StartedAt,
            CompletedAt = report.CompletedAt,
            Output = ToOctokit(report.Output),
        };
        return CallAsync(
            async () => ToCheckRun(await _client.Check.Run.Update(repository.Owner, repository.Name, id, update).ConfigureAwait(false)),
            cancellationToken);
    }

    /// <summary>
    /// How long to wait before trying again after <paramref name="e"/>, or null when it is not a
    /// rate limit worth waiting for (a plain 403, or a wait beyond <see cref="GitHubForgeOptions.MaxWait"/>).
    /// </summary>
    /// <param name="e">The failure.</param>
    /// <param name="retry">How many retries came before this one (0 for the first).</param>
    internal TimeSpan? RateLimitWait(Exception? e, int retry)
    {
        if (e is not Gh.ApiException api || (api.StatusCode != HttpStatusCode.Forbidden && api.StatusCode != HttpStatusCode.TooManyRequests))
        {
            return null;
        }

        var headers = api.HttpResponse?.Headers;
        var now = _time.GetUtcNow();
        TimeSpan? wait = null;
        if (Header(headers, "Retry-After") is { } retryAfter)
        {
            wait = int.TryParse(retryAfter, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                ? TimeSpan.FromSeconds(seconds)
                : DateTimeOffset.TryParse(retryAfter, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? Max(at - now, TimeSpan.Zero) : null;
        }

        if (wait is null && Header(headers, "X-RateLimit-Remaining") == "0"
            && long.TryParse(Header(headers, "X-RateLimit-Reset"), NumberStyles.None, CultureInfo.InvariantCulture, out var reset))
        {
            // The quota is spent until its window resets; a second's margin for clocks that disagree.
            wait = Max(SafeReset(reset) - now, TimeSpan.Zero) + TimeSpan.FromSeconds(1);
        }

        if (wait is null && (api.StatusCode == HttpStatusCode.TooManyRequests || api is Gh.SecondaryRateLimitExceededException or Gh.AbuseException
            || (api.HttpResponse?.Body as string)?.Contains("secondary rate limit", StringComparison.OrdinalIgnoreCase) == true))
        {
            wait = _options.SecondaryLimitWait * Math.Pow(2, Math.Min(retry, 16));
        }

        return wait is { } w && w <= _options.MaxWait ? w : null;
    }

    private static Gh.GitHubClient CreateClient(GitHubForgeOptions options, Gh.ICredentialStore credentials)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(credentials);
        options.Validate();
        var client = new Gh.GitHubClient(new Gh.ProductHeaderValue(options.UserAgent), credentials, options.ApiUrl);
        if (options.ResponseCacheEntries > 0)
        {
            client.ResponseCache = new GitHubResponseCache(options.ResponseCacheEntries);
        }

        return client;
    }

    private ResiliencePipeline BuildPipeline()
    {
        if (_options.MaxAttempts == 1)
        {
            return ResiliencePipeline.Empty;
        }

        return new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = _options.MaxAttempts - 1,
                ShouldHandle = args => ValueTask.FromResult(RateLimitWait(args.Outcome.Exception, args.AttemptNumber) is not null),
                DelayGenerator = args => ValueTask.FromResult(RateLimitWait(args.Outcome.Exception, args.AttemptNumber)),
                OnRetry = args =>
                {
                    var api = (Gh.ApiException)args.Outcome.Exception!;
                    LogRateLimited(_logger, (int)api.StatusCode, args.RetryDelay, args.AttemptNumber + 1, _options.MaxAttempts);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary><see cref="CallAsync{T}"/> for a lookup: GitHub's 404 (no such thing) is null.</summary>
    private Task<T?> CallOrNullAsync<T>(Func<Task<T?>> call, CancellationToken cancellationToken)
        where T : class =>
        CallAsync<T?>(
            async () =>
            {
                try
                {
                    return await call().ConfigureAwait(false);
                }
                catch (Gh.NotFoundException)
                {
                    return null;
                }
            },
            cancellationToken);

    private async Task<T> CallAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken) =>
        await _pipeline.ExecuteAsync(async _ => await call().ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    private static string? Header(IReadOnlyDictionary<string, string>? headers, string name) =>
        headers?.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value is { Length: > 0 } v ? v.Trim() : null;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static DateTimeOffset SafeReset(long epochSeconds) =>
        epochSeconds is > 0 and < 253402300799 ? DateTimeOffset.FromUnixTimeSeconds(epochSeconds) : DateTimeOffset.UnixEpoch;

    private static IReadOnlyList<string> Names(IReadOnlyList<Gh.Label> labels) => [.. labels.Select(l => l.Name)];

    private static CommitStatus ToStatus(Gh.CommitStatus s) =>
        new(s.Id, s.Context, FromOctokit(s.State), s.Description, s.TargetUrl, s.CreatedAt, s.UpdatedAt);

    private static IssueComment ToComment(Gh.IssueComment c) =>
        new(c.Id, c.User?.Login ?? "", c.Body ?? "", c.CreatedAt, c.UpdatedAt ?? c.CreatedAt, c.HtmlUrl);

    private static Gh.CommitState ToOctokit(CommitState state) => state switch
    {
        CommitState.Pending => Gh.CommitState.Pending,
        CommitState.Success => Gh.CommitState.Success,
        CommitState.Failure => Gh.CommitState.Failure,
        CommitState.Error => Gh.CommitState.Error,
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "not a commit state"),
    };

    private static CommitState FromOctokit(Gh.StringEnum<Gh.CommitState> state) => state.StringValue switch
    {
        "success" => CommitState.Success,
        "failure" => CommitState.Failure,
        "error" => CommitState.Error,
        _ => CommitState.Pending,
    };

    private static CheckRun ToCheckRun(Gh.CheckRun r) => new(
        r.Id, r.Name, r.HeadSha,
        r.Status.StringValue switch { "queued" => CheckRunStatus.Queued, "in_progress" => CheckRunStatus.InProgress, _ => CheckRunStatus.Completed },
        r.Conclusion?.StringValue switch
        {
            "success" => CheckRunConclusion.Success,
            "failure" => CheckRunConclusion.Failure,
            "cancelled" => CheckRunConclusion.Cancelled,
            null or "" => null,
            _ => CheckRunConclusion.Neutral,
        },
        string.IsNullOrEmpty(r.ExternalId) ? null : r.ExternalId,
        r.DetailsUrl);

    private static Gh.CheckStatus ToOctokit(CheckRunStatus status) => status switch
    {
        CheckRunStatus.Queued => Gh.CheckStatus.Queued,
        CheckRunStatus.InProgress => Gh.CheckStatus.InProgress,
        CheckRunStatus.Completed => Gh.CheckStatus.Completed,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "not a check run status"),
    };

    private static Gh.CheckConclusion ToOctokit(CheckRunConclusion conclusion) => conclusion switch
    {
        CheckRunConclusion.Success => Gh.CheckConclusion.Success,
        CheckRunConclusion.Failure => Gh.CheckConclusion.Failure,
        CheckRunConclusion.Cancelled => Gh.CheckConclusion.Cancelled,
        CheckRunConclusion.Neutral => Gh.CheckConclusion.Neutral,
        _ => throw new ArgumentOutOfRangeException(nameof(conclusion), conclusion, "not a check run conclusion"),
    };

    private static Gh.NewCheckRunOutput? ToOctokit(CheckRunOutput? output) => output is null ? null : new Gh.NewCheckRunOutput(output.Title, output.Summary)
    {
        Annotations = [.. output.Annotations.Take(CheckRunOutput.MaxAnnotations).Select(a => new Gh.NewCheckRunAnnotation(a.Path, a.Line, a.Line, Gh.CheckAnnotationLevel.Failure, a.Message)
        {
            // GitHub takes columns only on a one-line annotation, which these are.
            StartColumn = a.Column,
            EndColumn = a.Column,
        })],
    };

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "GitHub rate limit ({Status}): waiting {Delay} before attempt {Attempt} of {MaxAttempts}")]
    private static partial void LogRateLimited(ILogger logger, int status, TimeSpan delay, int attempt, int maxAttempts);

    /// <summary>A delivery as GitHub lists it, for Octokit's deserialiser (snake_case fields to properties).</summary>
    private sealed class HookDeliveryItem
    {
        public long Id { get; set; }

        public string? Guid { get; set; }

        public DateTimeOffset DeliveredAt { get; set; }

        public bool Redelivery { get; set; }

        public int StatusCode { get; set; }

        public string? Status { get; set; }

        public string? Event { get; set; }

        public string? Action { get; set; }

        public HookDelivery ToDelivery() => new(Id, Guid ?? "", DeliveredAt, Redelivery, StatusCode, Status ?? "", Event ?? "", Action);
    }

    private static PullRequest ToPullRequest(Gh.PullRequest pr) =>
        new(
            pr.Number,
            pr.Title ?? "",
            pr.User?.Login ?? "",
            pr.State.StringValue == "closed" ? PullRequestState.Closed : PullRequestState.Open,
            pr.Draft,
            pr.Merged,
            pr.Mergeable,
            pr.Head.Sha,
            pr.Head.Ref,
            pr.Base.Ref,
            pr.Base.Sha)
        {
            Labels = [.. (pr.Labels ?? []).Select(l => l.Name)],
            CloneUri = pr.Base.Repository?.CloneUrl ?? "",
            RepoLink = pr.Base.Repository?.HtmlUrl ?? "",
            Body = pr.Body ?? "",
        };

    /// <summary>Users as <c>reviewers</c>, <c>org/team</c> as <c>team_reviewers</c> (by slug, GitHub's form).</summary>
    private static Gh.PullRequestReviewRequest ReviewRequest(RepositoryName repository, IReadOnlyList<string> logins) =>
        new(
            [.. logins.Where(l => !l.Contains('/', StringComparison.Ordinal))],
            [.. logins.Where(l => l.Contains('/', StringComparison.Ordinal)).Select(l => l[(l.IndexOf('/', StringComparison.Ordinal) + 1)..])]);
}
