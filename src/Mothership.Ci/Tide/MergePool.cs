using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Mothership.Ci.Forge;
using Mothership.Ci.Jobs;
using Mothership.Ci.Reporting;
using Mothership.Ci.Triggers;
using Mothership.Store;

namespace Mothership.Ci.Tide;

/// <summary>
/// Prow's Tide over the store: per repository and branch, the open pull requests that match a
/// query and whose required jobs passed on their head form the pool. One that passed on the
/// branch's current head merges; one that passed on an older base is retested on the current
/// one first; up to <c>batch_size_limit</c> of them are tested together as a batch and merged
/// together when it passes, and when a batch fails the next syncs go on with single pull requests.
/// One merge (a pull request, or a batch) per branch per sync: a merge moves the base, and what
/// was tested on the old one is stale.
/// </summary>
/// <remarks>
/// GitHub is asked little: the open pull requests of each repository (with their labels, one
/// call per 100), the head of each branch with a pool, the changed files of a pull request only
/// when a <c>run_if_changed</c> job decides, the combined status only of a pull request about to
/// merge and only when contexts other than our jobs count, its reviews only when it meets
/// everything else of a query with <c>reviewApprovedRequired</c>, and a <c>tide</c> status only
/// when it changed since this process last wrote it. Our jobs' states and the base each run tested
/// come from the store (job results, and the run's <see cref="JobLabels.BaseSha"/> label).
/// One loop calls <see cref="SyncAsync"/> at a time.
/// </remarks>
public sealed partial class MergePool(
    IJobConfigSource config,
    IForge forge,
    IRunStore store,
    JobStarter starter,
    TimeProvider time,
    ILogger<MergePool> logger)
{
    /// <summary>Who starts the pool's runs, in the audit record.</summary>
    public const string Actor = "ci:tide";

    /// <summary>Label on a batch's runs: the pull requests it tests, as numbers joined by dots (<c>12.15.18</c>).</summary>
    public const string BatchPullsLabel = "mothership.io/batch-pulls";

    /// <summary>GitHub's message when a pull request cannot merge as it stands.</summary>
    private const string NotMergeableMessage = "Pull Request is not mergeable";

    /// <summary>The <c>tide</c> status last written per pull request, with the head it was written on.</summary>
    private readonly ConcurrentDictionary<(string Repository, int Number), (string Sha, TideStatus Status)> _written = new();

    /// <summary>Runs' tested base and batch pulls by uid: labels never change, so each run is read once.</summary>
    private readonly ConcurrentDictionary<string, (string BaseSha, string BatchPulls)> _runs = new(StringComparer.Ordinal);

    /// <summary>Changed files by pull request and head.</summary>
    private readonly ConcurrentDictionary<(string Repository, int Number, string Head), IReadOnlyList<string>> _files = new();

    /// <summary>Pull requests GitHub refused to merge (405), by head and base: left out until either moves.</summary>
    private readonly ConcurrentDictionary<(string Repository, int Number, string Head, string Base), string> _refused = new();

    /// <summary>The last sync's outcome and when it ended, for the dashboard's merge pool page; null before the first.</summary>
    public (DateTimeOffset At, MergePoolSync Sync)? Last { get; private set; }

    /// <summary>One pass over every repository the queries name.</summary>
    public async Task<MergePoolSync> SyncAsync(CancellationToken cancellationToken)
    {
        var current = config.Current;
        if (!current.Tide.Enabled)
        {
            Last = (time.GetUtcNow(), MergePoolSync.Empty);
            return MergePoolSync.Empty;
        }

        var pools = ImmutableArray.CreateBuilder<BranchPool>();
        foreach (var repository in Repositories(current))
        {
            pools.AddRange(await SyncRepositoryAsync(current, RepositoryName.Parse(repository), cancellationToken).ConfigureAwait(false));
        }

        var sync = new MergePoolSync(pools.ToImmutable());
        Last = (time.GetUtcNow(), sync);
        return sync;
    }

    /// <summary>The repositories of the queries: those named, and those of the named organisations that have presubmits.</summary>
    internal static IReadOnlyList<string> Repositories(ProwConfig current)
    {
        var named = current.Tide.Queries.SelectMany(q => q.Repos);
        var ofOrgs = current.Presubmits.Keys.Where(r => current.Tide.Queries.Any(q => q.CoversRepo(r)));
        return [.. named.Concat(ofOrgs).Where(r => RepositoryName.TryParse(r, out _)).Distinct(StringComparer.OrdinalIgnoreCase)];
    }

    private async Task<IReadOnlyList<BranchPool>> SyncRepositoryAsync(ProwConfig current, RepositoryName repository, CancellationToken cancellationToken)
    {
        var pulls = await forge.ListOpenPullRequestsAsync(repository, cancellationToken).ConfigureAwait(false);
        var orgRepo = repository.ToString();
        Forget(orgRepo, pulls);
        var pools = new List<BranchPool>();
        foreach (var branch in pulls.GroupBy(p => p.BaseRef, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            pools.Add(await SyncBranchAsync(current, repository, branch.Key, [.. branch.OrderBy(p => p.Number)], cancellationToken).ConfigureAwait(false));
        }

        return pools;
    }

    private async Task<BranchPool> SyncBranchAsync(ProwConfig current, RepositoryName repository, string branch, IReadOnlyList<PullRequest> pulls, CancellationToken cancellationToken)
    {
        var orgRepo = repository.ToString();
        var tide = current.Tide;
        var policy = tide.ContextPolicyFor(repository.Owner, repository.Name, branch);
        var presubmits = current.PresubmitsFor(orgRepo).Where(p => p.CouldRun(branch)).ToList();
        var statuses = new SortedDictionary<int, TideStatus>();
        var members = new List<Member>();
        foreach (var pr in pulls)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (member, status) = await EvaluateAsync(tide, repository, pr, presubmits, policy, cancellationToken).ConfigureAwait(false);
            if (member is not null)
            {
                members.Add(member);
            }
            else
            {
                statuses[pr.Number] = status!;
            }
        }

        string? baseSha = null;
        var merged = new List<int>();
        var retested = new List<int>();
        var batch = new List<int>();
        if (members.Count > 0)
        {
            baseSha = await forge.GetBranchShaAsync(repository, branch, cancellationToken).ConfigureAwait(false);
        }

        if (baseSha is not null)
        {
            foreach (var member in members.ToList())
            {
                if (_refused.TryGetValue((orgRepo, member.Pr.Number, member.Pr.HeadSha, baseSha), out var message))
                {
                    members.Remove(member);
                    statuses[member.Pr.Number] = TideStatus.NotMergeable(message == NotMergeableMessage ? " PR has a merge conflict." : " " + message, CommitState.Error);
                    continue;
                }

                await ClassifyAsync(member, baseSha, cancellationToken).ConfigureAwait(false);
            }

            await ActAsync(tide, repository, branch, baseSha, members, policy, presubmits, statuses, merged, retested, batch, cancellationToken).ConfigureAwait(false);
            foreach (var member in members.Where(m => !merged.Contains(m.Pr.Number) && !statuses.ContainsKey(m.Pr.Number)))
            {
                statuses[member.Pr.Number] = member.Missing.IsEmpty ? TideStatus.InPool : TideStatus.Retesting(member.Missing.Select(j => j.Context));
            }
        }

        foreach (var pr in pulls.Where(p => statuses.ContainsKey(p.Number)))
        {
            await WriteStatusAsync(repository, pr, statuses[pr.Number], tide.TargetUrl, cancellationToken).ConfigureAwait(false);
        }

        return new BranchPool(
            orgRepo, branch, baseSha ?? "", [.. members.Select(m => m.Pr.Number)], [.. merged], [.. retested], [.. batch],
            statuses.ToImmutableSortedDictionary());
    }

    /// <summary>
    /// Whether <paramref name="pr"/> is in the pool: a query matches it and no required job has
    /// failed or is missing on its head (a pending one is fine: it may be the pool's own retest).
    /// Otherwise the status that says why, as Prow says it for the closest query.
    /// </summary>
    private async Task<(Member? Member, TideStatus? Status)> EvaluateAsync(
        TideConfig tide, RepositoryName repository, PullRequest pr, IReadOnlyList<Presubmit> presubmits, TideContextPolicy policy, CancellationToken cancellationToken)
    {
        var queries = tide.QueriesFor(repository.ToString()).ToList();
        var candidates = queries.Where(q => TideStatus.RequirementDiff(q, pr, [], reviewApproved: true).Weight == 0).ToList();
        bool? approved = null;
        if (candidates.Count > 0 && candidates.All(q => q.ReviewApprovedRequired))
        {
            // Reviews are read only for a pull request that meets everything else of such a query.
            approved = PullRequestReview.Approved(await forge.ListPullRequestReviewsAsync(repository, pr.Number, cancellationToken).ConfigureAwait(false));
        }

        if (candidates.Count == 0 || approved == false)
        {
            var closest = queries.Select(q => TideStatus.RequirementDiff(q, pr, [], approved)).MinBy(d => d.Weight);
            return (null, TideStatus.NotMergeable(closest.Reason));
        }

        if (tide.MergeMethodFor(repository.Owner, repository.Name, pr.BaseRef, pr.Labels) is null)
        {
            return (null, TideStatus.NotMergeable(" PR has conflicting merge method override labels", CommitState.Error));
        }

        var required = new List<Presubmit>();
        var ifPresent = new List<Presubmit>();
        foreach (var job in presubmits.Where(j => j.ContextRequired && !policy.OptionalContexts.Contains(j.Context, StringComparer.Ordinal)))
        {
            if (job.AlwaysRun || job.RunBeforeMerge || policy.RequiredContexts.Contains(job.Context, StringComparer.Ordinal)
                || (job.Changes.CouldRun && job.Changes.RunsAgainstChanges(await FilesAsync(repository, pr, cancellationToken).ConfigureAwait(false))))
            {
                required.Add(job);
            }
            else if (job.NeedsExplicitTrigger)
            {
                ifPresent.Add(job);
            }
        }

        var results = await store.ListJobResultsAsync(
            new JobResultQuery { Repository = repository.ToString(), Pull = pr.Number, Sha = pr.HeadSha, Type = JobTypes.Presubmit, Limit = 500 },
            cancellationToken).ConfigureAwait(false);
        var latest = new Dictionary<string, JobResult>(StringComparer.Ordinal);
        foreach (var result in results.Where(r => r.Context is not null))
        {
            latest.TryAdd(result.Context!, result);
        }

        var unsuccessful = required
            .Where(j => !latest.TryGetValue(j.Context, out var r) || (JobStates.IsFinal(r.State) && r.State != JobStates.Success))
            .Concat(ifPresent.Where(j => latest.TryGetValue(j.Context, out var r) && JobStates.IsFinal(r.State) && r.State != JobStates.Success))
            .Select(j => j.Context)
            .ToList();
        if (unsuccessful.Count > 0)
        {
            return (null, TideStatus.NotMergeable(TideStatus.UnsuccessfulReason(unsuccessful)));
        }

        return (new Member(pr, [.. required], results) { Passed = required.All(j => latest[j.Context].State == JobStates.Success) }, null);
    }

    /// <summary>Sorts a member's required jobs by how they stand on <paramref name="baseSha"/>: passed, running, or not run there.</summary>
    private async Task ClassifyAsync(Member member, string baseSha, CancellationToken cancellationToken)
    {
        var missing = ImmutableArray.CreateBuilder<Presubmit>();
        var pending = false;
        foreach (var job in member.Required)
        {
            string? state = null;
            foreach (var result in member.Results.Where(r => r.Job == job.Name || r.Context == job.Context))
            {
                if ((await RunLabelsAsync(result.Uid, cancellationToken).ConfigureAwait(false)).BaseSha == baseSha)
                {
                    state = result.State;
                    break;
                }
            }

            if (state != JobStates.Success)
            {
                missing.Add(job);
                pending |= state is not null && !JobStates.IsFinal(state);
            }
        }

        member.Missing = missing.ToImmutable();
        member.Pending = pending;
    }

    /// <summary>
    /// Prow's <c>takeAction</c> for one branch: merge a batch that passed on the current base, else
    /// one pull request that passed on it; else start a batch (when none runs on this base and this
    /// set was not tried on it) and a single pull request's retest (when none runs).
    /// </summary>
    private async Task ActAsync(
        TideConfig tide, RepositoryName repository, string branch, string baseSha, List<Member> members, TideContextPolicy policy,
        IReadOnlyList<Presubmit> presubmits, SortedDictionary<int, TideStatus> statuses, List<int> merged, List<int> retested, List<int> batch,
        CancellationToken cancellationToken)
    {
        if (members.Count == 0)
        {
            return;
        }

        var limit = tide.BatchSizeLimitFor(repository.Owner, repository.Name);
        var required = members.SelectMany(m => m.Required).DistinctBy(j => j.Name).ToList();
        var batches = limit == -1 || required.Count == 0 ? [] : await BatchesAsync(repository, branch, baseSha, members, cancellationToken).ConfigureAwait(false);
        if (batches.FirstOrDefault(b => b.State == JobStates.Success) is { } passed)
        {
            await MergeAsync(tide, repository, baseSha, passed.Members, policy, presubmits, statuses, merged, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (members.FirstOrDefault(m => m.Missing.IsEmpty) is { } ready)
        {
            await MergeAsync(tide, repository, baseSha, [ready], policy, presubmits, statuses, merged, cancellationToken).ConfigureAwait(false);
            return;
        }

        // Prow's pickBatch: only pull requests whose jobs have passed (on some base) go into a batch.
        var candidates = members.Where(m => m.Passed).Take(limit <= 0 ? int.MaxValue : limit).ToList();
        if (limit != -1 && required.Count > 0 && candidates.Count > 1 && batches.All(b => JobStates.IsFinal(b.State))
            && !batches.Any(b => b.Members.Select(m => m.Pr.Number).SequenceEqual(candidates.Select(m => m.Pr.Number))))
        {
            if (await StartBatchAsync(repository, branch, baseSha, candidates, cancellationToken).ConfigureAwait(false))
            {
                batch.AddRange(candidates.Select(m => m.Pr.Number));
            }
        }

        if (!members.Any(m => m.Pending) && members.FirstOrDefault(m => !m.Missing.IsEmpty) is { } next)
        {
            await RetestAsync(repository, branch, baseSha, next, cancellationToken).ConfigureAwait(false);
            retested.Add(next.Pr.Number);
            next.Pending = true;
        }
    }

    /// <summary>
    /// Merges <paramref name="toMerge"/> in order, each only at the head that was tested; stops at
    /// the first that does not merge (the rest was tested with it), which goes back to the pool.
    /// </summary>
    private async Task MergeAsync(
        TideConfig tide, RepositoryName repository, string baseSha, IReadOnlyList<Member> toMerge, TideContextPolicy policy,
        IReadOnlyList<Presubmit> presubmits, SortedDictionary<int, TideStatus> statuses, List<int> merged, CancellationToken cancellationToken)
    {
        foreach (var member in toMerge)
        {
            var pr = member.Pr;
            var others = await OtherContextsFailingAsync(repository, pr, policy, presubmits, cancellationToken).ConfigureAwait(false);
            if (others.Count > 0)
            {
                statuses[pr.Number] = TideStatus.NotMergeable(TideStatus.UnsuccessfulReason(others));
                return;
            }

            var method = tide.MergeMethodFor(repository.Owner, repository.Name, pr.BaseRef, pr.Labels) ?? MergeMethod.Merge;
            var result = await forge.MergePullRequestAsync(repository, pr.Number, pr.HeadSha, method, cancellationToken).ConfigureAwait(false);
            if (result.Outcome == MergeOutcome.Merged)
            {
                LogMerged(logger, repository.ToString(), pr.Number, pr.HeadSha, method);
                merged.Add(pr.Number);
                continue;
            }

            LogNotMerged(logger, repository.ToString(), pr.Number, result.Outcome, result.Message);
            if (result.Outcome == MergeOutcome.NotMergeable)
            {
                _refused[(repository.ToString(), pr.Number, pr.HeadSha, baseSha)] = result.Message;
                statuses[pr.Number] = TideStatus.NotMergeable(
                    result.Message == NotMergeableMessage ? " PR has a merge conflict." : " " + result.Message, CommitState.Error);
            }

            return;
        }
    }

    /// <summary>
    /// The contexts other than our jobs that keep <paramref name="pr"/> from merging: required ones
    /// not succeeded, and unless <c>skip-unknown-contexts</c> unknown ones not succeeded. The
    /// combined status is read only when such contexts can count.
    /// </summary>
    private async Task<IReadOnlyList<string>> OtherContextsFailingAsync(
        RepositoryName repository, PullRequest pr, TideContextPolicy policy, IReadOnlyList<Presubmit> presubmits, CancellationToken cancellationToken)
    {
        var ours = presubmits.Select(j => j.Context).Append(TideStatus.Context).ToHashSet(StringComparer.Ordinal);
        var external = policy.RequiredContexts.Where(c => !ours.Contains(c)).ToList();
        var skipUnknown = policy.SkipUnknownContexts == true;
        if (external.Count == 0 && skipUnknown && policy.RequiredIfPresentContexts.All(ours.Contains))
        {
            return [];
        }

        var combined = await forge.GetCombinedStatusAsync(repository, pr.HeadSha, cancellationToken).ConfigureAwait(false);
        var states = combined.Statuses.ToDictionary(s => s.Context, s => s.State, StringComparer.Ordinal);
        var failing = external.Where(c => states.GetValueOrDefault(c, CommitState.Pending) != CommitState.Success).ToList();
        foreach (var (context, state) in states)
        {
            if (ours.Contains(context) || external.Contains(context) || policy.OptionalContexts.Contains(context, StringComparer.Ordinal) || state == CommitState.Success)
            {
                continue;
            }

            if (!skipUnknown || policy.RequiredIfPresentContexts.Contains(context, StringComparer.Ordinal))
            {
                failing.Add(context);
            }
        }

        return failing;
    }

    /// <summary>Starts <paramref name="member"/>'s required jobs that have not passed on <paramref name="baseSha"/>, on it, reporting on its head.</summary>
    private async Task RetestAsync(RepositoryName repository, string branch, string baseSha, Member member, CancellationToken cancellationToken)
    {
        var pr = member.Pr;
        var refs = Refs(repository, branch, baseSha, [member]);
        foreach (var job in member.Missing)
        {
            await starter.StartAsync(new JobRequest
            {
                Type = JobTypes.Presubmit,
                Job = job,
                Refs = refs,
                RunName = JobRunBuilder.RunName(job.Name, $"tide/{repository}#{pr.Number}/{pr.HeadSha}/{baseSha}"),
                BuildId = BuildId(),
                StatusSha = pr.HeadSha,
                Context = job.Context,
                RerunCommand = job.RerunCommand,
            }, Actor, cancellationToken).ConfigureAwait(false);
        }

        LogRetest(logger, repository.ToString(), pr.Number, baseSha, string.Join(' ', member.Missing.Select(j => j.Name)));
    }

    /// <summary>Starts one run per required job with every candidate's head merged onto <paramref name="baseSha"/>; false when it had been started before.</summary>
    private async Task<bool> StartBatchAsync(RepositoryName repository, string branch, string baseSha, IReadOnlyList<Member> candidates, CancellationToken cancellationToken)
    {
        var refs = Refs(repository, branch, baseSha, candidates);
        var pulls = BatchPulls(candidates);
        var any = false;
        foreach (var job in candidates.SelectMany(m => m.Required).DistinctBy(j => j.Name))
        {
            var start = await starter.StartAsync(new JobRequest
            {
                Type = JobTypes.Batch,
                Job = job with { Labels = job.Labels.SetItem(BatchPullsLabel, pulls) },
                Refs = refs,
                RunName = BatchRunName(job.Name, repository, baseSha, candidates),
                BuildId = BuildId(),
            }, Actor, cancellationToken).ConfigureAwait(false);
            any |= start.Outcome == JobStartOutcome.Started;
        }

        if (any)
        {
            LogBatch(logger, repository.ToString(), branch, baseSha, pulls);
        }

        return any;
    }

    /// <summary>
    /// The batches run on <paramref name="baseSha"/> whose pull requests are all still in the pool
    /// at the heads tested, each with its state: success when every job passed, pending while one
    /// runs, failure otherwise.
    /// </summary>
    private async Task<IReadOnlyList<Batch>> BatchesAsync(RepositoryName repository, string branch, string baseSha, List<Member> members, CancellationToken cancellationToken)
    {
        var results = await store.ListJobResultsAsync(
            new JobResultQuery { Repository = repository.ToString(), Type = JobTypes.Batch, Limit = 500 }, cancellationToken).ConfigureAwait(false);
        var byNumber = members.ToDictionary(m => m.Pr.Number);
        var batches = new Dictionary<string, List<JobResult>>(StringComparer.Ordinal);
        foreach (var result in results.Where(r => r.BaseRef == branch))
        {
            var labels = await RunLabelsAsync(result.Uid, cancellationToken).ConfigureAwait(false);
            if (labels.BaseSha == baseSha)
            {
                (batches.TryGetValue(labels.BatchPulls, out var list) ? list : batches[labels.BatchPulls] = []).Add(result);
            }
        }

        var found = new List<Batch>();
        foreach (var (pulls, runs) in batches)
        {
            var numbers = pulls.Split('.').Select(n => int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : -1).ToList();
            if (numbers.Any(n => !byNumber.ContainsKey(n)))
            {
                // A pull request of it left the pool (merged, closed, failed): it cannot merge as tested.
                continue;
            }

            var inBatch = numbers.Select(n => byNumber[n]).ToList();
            var latest = runs.Where(r => r.RunName == BatchRunName(r.Job, repository, baseSha, inBatch)).DistinctBy(r => r.Job).ToList();
            var jobs = inBatch.SelectMany(m => m.Required).Select(j => j.Name).Distinct(StringComparer.Ordinal).ToList();
            if (latest.Count == 0)
            {
                // Heads moved since: another batch.
                continue;
            }

            var state = latest.Any(r => JobStates.IsFinal(r.State) && r.State != JobStates.Success) ? JobStates.Failure
                : latest.Any(r => !JobStates.IsFinal(r.State)) ? JobStates.Pending
                : jobs.All(j => latest.Any(r => r.Job == j)) ? JobStates.Success
                : JobStates.Failure;
            found.Add(new Batch(inBatch, state));
        }

        return [.. found.OrderByDescending(b => b.Members.Count)];
    }

    private async Task<(string BaseSha, string BatchPulls)> RunLabelsAsync(string uid, CancellationToken cancellationToken)
    {
        if (_runs.TryGetValue(uid, out var known))
        {
            return known;
        }

        var run = await store.GetRunByUidAsync(uid, cancellationToken).ConfigureAwait(false);
        var labels = run is null ? ("", "") : (run.Labels.GetValueOrDefault(JobLabels.BaseSha, ""), run.Labels.GetValueOrDefault(BatchPullsLabel, ""));
        if (run is not null)
        {
            // A pruned run is not remembered: its results count as tested on an unknown base.
            _runs[uid] = labels;
        }

        return labels;
    }

    private async Task<IReadOnlyList<string>> FilesAsync(RepositoryName repository, PullRequest pr, CancellationToken cancellationToken)
    {
        var key = (repository.ToString(), pr.Number, pr.HeadSha);
        if (_files.TryGetValue(key, out var files))
        {
            return files;
        }

        files = [.. (await forge.ListPullRequestFilesAsync(repository, pr.Number, cancellationToken).ConfigureAwait(false)).Select(f => f.Path)];
        _files[key] = files;
        return files;
    }

    /// <summary>Writes the <c>tide</c> status unless this process wrote the same one on the same head.</summary>
    private async Task WriteStatusAsync(RepositoryName repository, PullRequest pr, TideStatus status, string? targetUrl, CancellationToken cancellationToken)
    {
        var key = (repository.ToString(), pr.Number);
        if (_written.TryGetValue(key, out var written) && written.Sha == pr.HeadSha && written.Status == status)
        {
            return;
        }

        await forge.CreateStatusAsync(repository, pr.HeadSha, status.State, TideStatus.Context, status.Description, targetUrl, cancellationToken).ConfigureAwait(false);
        _written[key] = (pr.HeadSha, status);
    }

    /// <summary>Drops what is remembered of the repository's pull requests that are no longer open.</summary>
    private void Forget(string orgRepo, IReadOnlyList<PullRequest> open)
    {
        var numbers = open.Select(p => p.Number).ToHashSet();
        foreach (var key in _written.Keys.Where(k => k.Repository == orgRepo && !numbers.Contains(k.Number)))
        {
            _written.TryRemove(key, out _);
        }

        foreach (var key in _files.Keys.Where(k => k.Repository == orgRepo && !numbers.Contains(k.Number)))
        {
            _files.TryRemove(key, out _);
        }

        foreach (var key in _refused.Keys.Where(k => k.Repository == orgRepo && !numbers.Contains(k.Number)))
        {
            _refused.TryRemove(key, out _);
        }
    }

    private static JobRefs Refs(RepositoryName repository, string branch, string baseSha, IReadOnlyList<Member> members)
    {
        var first = members[0].Pr;
        return new JobRefs(repository.Owner, repository.Name, branch, baseSha, first.CloneUri, first.RepoLink)
        {
            Pulls = [.. members.Select(m => new PullRef(m.Pr.Number, m.Pr.Author, m.Pr.HeadSha, m.Pr.HeadRef, m.Pr.Title))],
        };
    }

    private static string BatchPulls(IReadOnlyList<Member> members) =>
        JobLabels.Value(string.Join('.', members.Select(m => m.Pr.Number.ToString(CultureInfo.InvariantCulture))));

    /// <summary>The same batch (base, pull requests at their heads) always gets the same run name, so it starts once.</summary>
    private static string BatchRunName(string job, RepositoryName repository, string baseSha, IReadOnlyList<Member> members) =>
        JobRunBuilder.RunName(job, $"tide-batch/{repository}/{baseSha}/{string.Join(',', members.Select(m => $"{m.Pr.Number}:{m.Pr.HeadSha}"))}");

    private string BuildId() => time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>A pull request in the pool: its required jobs, their results on its head, and how they stand on the current base.</summary>
    private sealed class Member(PullRequest pr, ImmutableArray<Presubmit> required, IReadOnlyList<JobResult> results)
    {
        public PullRequest Pr { get; } = pr;

        public ImmutableArray<Presubmit> Required { get; } = required;

        /// <summary>Its presubmits' results on its head, newest first.</summary>
        public IReadOnlyList<JobResult> Results { get; } = results;

        /// <summary>Required jobs without a success on the current base.</summary>
        public ImmutableArray<Presubmit> Missing { get; set; } = [];

        /// <summary>One of them runs on the current base.</summary>
        public bool Pending { get; set; }

        /// <summary>Every required job's latest result on its head passed (on whatever base).</summary>
        public bool Passed { get; init; }
    }

    /// <summary>A batch run on the current base, and how it stands.</summary>
    private sealed record Batch(IReadOnlyList<Member> Members, string State);
}
