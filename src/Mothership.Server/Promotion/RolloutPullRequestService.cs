using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mothership.Ci.Forge;
using Mothership.Ci.Jobs;
using Mothership.Ci.Promotion;
using Mothership.Ci.Reporting;
using Mothership.Cloud.Rollouts;
using Mothership.Server.Rollouts;
using Mothership.Store;

namespace Mothership.Server.Promotion;

/// <summary>
/// A rollout's pull request (README, "Rollouts"): when a rollout of an environment that cloud.yaml's
/// promotion names starts (by the promotion, the API or the CLI), the bot opens the environment's
/// rollout pull request (<see cref="DeploymentPullRequests.RolloutBranch"/>) showing the revision, the
/// waves and the gates; as the rollout's status or a gate changes, the body follows, a gate that
/// starts waiting gets a comment saying who may approve it with <c>/approve-rollout</c>, and the
/// <c>mothership/rollout</c> status follows the rollout. When the rollout ends it comments how: a
/// success merges the pull request (or leaves it to the merge pool, as a site's deployment pull
/// request), any other end closes it. Fed by <see cref="RolloutService.Changed"/> in the order of the
/// writes; what a snapshot would show is written only when it differs from what was shown last.
/// </summary>
internal sealed partial class RolloutPullRequestService : BackgroundService
{
    /// <summary>The context of a rollout pull request's status.</summary>
    public const string StatusContext = "mothership/rollout";

    private readonly Channel<RolloutRecord> _changes = Channel.CreateUnbounded<RolloutRecord>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, Shown> _shown = new(StringComparer.Ordinal);
    private readonly SitePromotion _promotion;
    private readonly IForge _forge;
    private readonly IRepositoryWrites _writes;
    private readonly DeploymentPullRequestWriter _writer;
    private readonly JobReporterOptions _links;
    private readonly IJobConfigSource _jobs;
    private readonly ILogger<RolloutPullRequestService> _logger;

    public RolloutPullRequestService(RolloutService rollouts, SitePromotion promotion, IForge forge, IRepositoryWrites writes, JobReporterOptions links, IJobConfigSource jobs,
        ILogger<RolloutPullRequestService> logger)
    {
        ArgumentNullException.ThrowIfNull(rollouts);
        _promotion = promotion;
        _forge = forge;
        _writes = writes;
        _writer = new DeploymentPullRequestWriter(forge, writes);
        _links = links;
        _jobs = jobs;
        _logger = logger;
        rollouts.Changed += rollout => _changes.Writer.TryWrite(rollout);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var rollout in _changes.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await ShowAsync(rollout, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.Failed(_logger, rollout.Name, e.Message);
            }
        }
    }

    /// <summary>Brings the rollout's pull request up to <paramref name="rollout"/> (a snapshot as stored).</summary>
    public async Task ShowAsync(RolloutRecord rollout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        if (_shown.TryGetValue(rollout.Name, out var last) && last.Version >= rollout.Version)
        {
            // An older write's snapshot that arrived after a newer one's.
            return;
        }

        if (await _promotion.ViewAsync(cancellationToken).ConfigureAwait(false) is not { } view || view.Policy.Position(rollout.Environment) < 0)
        {
            return;
        }

        var document = RolloutDocument.Parse(rollout.Document);
        var request = Request(rollout, document);
        var body = DeploymentPullRequests.RolloutBody(request);
        if (last is not null && last.Body == body && rollout.Active)
        {
            _shown[rollout.Name] = last with { Version = rollout.Version };
            return;
        }

        PullRequest pr;
        if (rollout.Active)
        {
            (pr, var changed) = await _writer.OpenOrUpdateAsync(view.Repository, view.Policy.Branch, request, cancellationToken).ConfigureAwait(false);
            if (last is null)
            {
                Log.Opened(_logger, pr.Number, rollout.Name, rollout.Environment);
            }
        }
        else
        {
            // An ended rollout's pull request is only ever its own: never open one to close it, never touch another rollout's.
            if (await _writer.FindRolloutAsync(view.Repository, rollout.Environment, cancellationToken).ConfigureAwait(false) is not { } open
                || DeploymentPullRequests.ReadRolloutMark(open.Body)?.Rollout != rollout.Name)
            {
                _shown.TryRemove(rollout.Name, out _);
                return;
            }

            (pr, _) = await _writer.OpenOrUpdateAsync(view.Repository, view.Policy.Branch, request, cancellationToken).ConfigureAwait(false);
        }

        if (last?.Status != rollout.Status || last.Head != pr.HeadSha)
        {
            var (state, description) = rollout.Status switch
            {
                nameof(RolloutStatus.Succeeded) => (CommitState.Success, $"Rolled out {rollout.Environment}."),
                nameof(RolloutStatus.Running) or nameof(RolloutStatus.Paused) => (CommitState.Pending, $"Rollout of {rollout.Environment}: {rollout.Status}."),
                _ => (CommitState.Failure, $"Rollout of {rollout.Environment}: {rollout.Status}."),
            };
            await _forge.CreateStatusAsync(view.Repository, pr.HeadSha, state, StatusContext, description, request.Link, cancellationToken).ConfigureAwait(false);
        }

        var waiting = request.Waves.Where(w => w.Waiting && w.Gate is not null).Select(w => w.Gate!).ToHashSet(StringComparer.Ordinal);
        if (waiting.Count > 0 && (last is null || !waiting.SetEquals(last.Waiting)))
        {
            await CommentOnceAsync(view.Repository, pr.Number, $"<!-- mothership:rollout-gate {rollout.Name} {string.Join(",", waiting.Order(StringComparer.Ordinal))} -->",
                Waiting(request, waiting), cancellationToken).ConfigureAwait(false);
        }

        if (!rollout.Active)
        {
            await EndAsync(view.Repository, rollout, pr, cancellationToken).ConfigureAwait(false);
            _shown.TryRemove(rollout.Name, out _);
            return;
        }

        _shown[rollout.Name] = new Shown(rollout.Version, body, rollout.Status, pr.HeadSha, waiting);
    }

    /// <summary>The end: a comment saying how, then merged on success (unless a merge pool serves the repository), closed otherwise.</summary>
    private async Task EndAsync(RepositoryName repository, RolloutRecord rollout, PullRequest pr, CancellationToken cancellationToken)
    {
        var succeeded = rollout.Status == nameof(RolloutStatus.Succeeded);
        var pooled = succeeded && _jobs.Current.Tide.QueriesFor(repository.ToString()).Any();
        var text = new StringBuilder().Append("Rollout `").Append(rollout.Name).Append("` ended **").Append(rollout.Status).Append("**")
            .Append(rollout.Reason is { Length: > 0 } reason ? $": {reason}" : ".").Append('\n');
        text.Append(succeeded
            ? pooled
                ? $"\nEvery site of {rollout.Environment} runs `{rollout.Revision}`. The merge pool merges this pull request once it matches its query (`{StatusContext}` among its statuses).\n"
                : $"\nEvery site of {rollout.Environment} runs `{rollout.Revision}`: this pull request is merged.\n"
            : "\nThis pull request is closed; a new rollout opens a new one.\n");
        await CommentOnceAsync(repository, pr.Number, $"<!-- mothership:rollout-result {rollout.Name} -->", text.ToString(), cancellationToken).ConfigureAwait(false);
        if (succeeded)
        {
            if (!pooled)
            {
                var merged = await _forge.MergePullRequestAsync(repository, pr.Number, pr.HeadSha, MergeMethod.Merge, cancellationToken).ConfigureAwait(false);
                Log.Merged(_logger, pr.Number, rollout.Name, merged.Outcome.ToString());
            }
        }
        else
        {
            await _writes.ClosePullRequestAsync(repository, pr.Number, cancellationToken).ConfigureAwait(false);
            Log.Closed(_logger, pr.Number, rollout.Name, rollout.Status);
        }
    }

    private async Task CommentOnceAsync(RepositoryName repository, int number, string mark, string text, CancellationToken cancellationToken)
    {
        if (!await MarkedComments.ExistsAsync(_forge, repository, number, mark, cancellationToken).ConfigureAwait(false))
        {
            await MarkedComments.CreateAsync(_forge, repository, number, text, mark, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Waiting(RolloutRequest request, IReadOnlySet<string> gates)
    {
        var text = new StringBuilder();
        foreach (var wave in request.Waves.Where(w => w.Gate is { } g && gates.Contains(g)))
        {
            text.Append("Rollout `").Append(request.Rollout).Append("` waits at gate `").Append(wave.Gate).Append("`: ").Append(wave.Name).Append(" (")
                .Append(wave.Sites.Count).Append(wave.Sites.Count == 1 ? " site" : " sites").Append(") starts once someone holding one of the roles ")
                .Append(string.Join(", ", wave.Approvers)).Append(" comments `/approve-rollout`")
                .Append(gates.Count > 1 ? $" `{wave.Gate}`" : "").Append(".\n");
        }

        return text.ToString();
    }

    /// <summary>What the pull request shows of <paramref name="rollout"/>.</summary>
    private RolloutRequest Request(RolloutRecord rollout, RolloutDocument document) => new()
    {
        Rollout = rollout.Name,
        Environment = rollout.Environment,
        To = rollout.Revision,
        Actor = rollout.Actor,
        Status = rollout.Status,
        Reason = rollout.Reason,
        Link = _links.PublicUrl is { } url ? $"{url.ToString().TrimEnd('/')}/ui/rollouts/{Uri.EscapeDataString(rollout.Name)}" : null,
        Waves = [.. document.Waves.Select((w, i) => w.GateRoles.IsDefaultOrEmpty
            ? new RolloutRequestWave(w.Name, w.Sites, null, [], null, false)
            : new RolloutRequestWave(w.Name, w.Sites, RolloutWave.GateIdOf(w.Name), w.GateRoles, document.State.Approvals.GetValueOrDefault(RolloutWave.GateIdOf(w.Name)),
                document.State.Sites.Any(s => s.Wave == i && s.State == SiteRolloutState.WaitingForApproval)))],
    };

    /// <summary>What was shown last of a rollout: the version of the snapshot, the body, the status, the head the status is on, the gates waiting.</summary>
    private sealed record Shown(long Version, string Body, string Status, string Head, IReadOnlySet<string> Waiting);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Rollout pull request #{Number} shows rollout {Rollout} of {Environment}")]
        public static partial void Opened(ILogger logger, int number, string rollout, string environment);

        [LoggerMessage(Level = LogLevel.Information, Message = "Rollout pull request #{Number} of rollout {Rollout}: merge {Outcome}")]
        public static partial void Merged(ILogger logger, int number, string rollout, string outcome);

        [LoggerMessage(Level = LogLevel.Information, Message = "Rollout pull request #{Number} of rollout {Rollout} closed: the rollout ended {Status}")]
        public static partial void Closed(ILogger logger, int number, string rollout, string status);

        [LoggerMessage(Level = LogLevel.Warning, Message = "The pull request of rollout {Rollout} could not be brought up to date: {Error}")]
        public static partial void Failed(ILogger logger, string rollout, string error);
    }
}
