using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mothership.Ci.Forge;
using Mothership.Ci.Plugins.Approve;
using Mothership.Ci.Promotion;
using Mothership.Ci.Releases;
using Mothership.Cloud.Charts;
using Mothership.Cloud.Planning;
using Mothership.Cloud.Sites;
using Mothership.Model.Diagnostics;
using Mothership.Server.Cloud;
using Mothership.Server.Hosting;
using Mothership.Server.Rollouts;
using Mothership.Store;

namespace Mothership.Server.Promotion;

/// <summary>
/// GitOps promotion on the server: reads cloud.yaml's promotion at the tip, opens or updates a
/// site's deployment pull request (range, notes, plan) through <see cref="DeploymentPullRequestWriter"/>,
/// and, once a revision runs on every site of an environment, tags it (<c>&lt;environment&gt;/&lt;N&gt;</c>;
/// for the chain's last environment also <c>vX.Y.Z</c> with a GitHub Release of its notes) and
/// proposes it to every site of the next environment.
/// </summary>
internal sealed partial class SitePromotion(
    SiteRepositoryCache cache, IRunStore store, IForge forge, IRepositoryWrites writes, RolloutService rollouts, IOptions<ServerOptions> options, ILogger<SitePromotion> logger)
{
    private readonly DeploymentPullRequestWriter _writer = new(forge, writes);
    private TipView? _last;

    /// <summary>The promotion at the tip; null when no site repository is set, or its cloud.yaml declares no promotion or no GitHub repository.</summary>
    public async Task<PromotionView?> ViewAsync(CancellationToken cancellationToken)
    {
        if (!cache.Configured)
        {
            return null;
        }

        await cache.RefreshAsync(cancellationToken).ConfigureAwait(false);
        if (cache.Resolve(null) is not { } tip)
        {
            return null;
        }

        // A commit's files never change: the view of the tip read last serves every caller until the tip moves
        // (each webhook, each sites request and each deploy's end asks for it).
        if (Volatile.Read(ref _last) is { } last && last.Tip == tip)
        {
            return last.View;
        }

        var view = Read(tip);
        Volatile.Write(ref _last, new TipView(tip, view));
        return view;
    }

    private PromotionView? Read(string tip)
    {
        using var files = cache.Open(tip);
        var catalog = SiteRepositoryLoader.LoadCatalog(files, "", new DiagnosticBag());
        if (catalog?.Promotion is not { } policy
            || (policy.Repository is { } named ? RepositoryName.TryParse(named, out var repository) ? repository : null : RepositoryOf(options.Value.Cloud.Repository)) is not { } github)
        {
            return null;
        }

        var sites = new Dictionary<string, SiteDefinition>(StringComparer.Ordinal);
        foreach (var name in SiteRepositoryLoader.SiteNames(files))
        {
            if (SiteRepositoryLoader.LoadSite(files, name, "", new DiagnosticBag()) is { } site)
            {
                sites[name] = site;
            }
        }

        return new PromotionView(policy, github, sites);
    }

    /// <summary>Makes <paramref name="site"/>'s deployment pull request propose <paramref name="revision"/>; null when the site is not promoted by pull requests.</summary>
    public async Task<PullRequest?> ProposeAsync(PromotionView view, string site, string revision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        if (view.StageOf(site) is not { } stage)
        {
            return null;
        }

        var to = cache.Resolve(revision) ?? throw new ArgumentException($"revision '{revision}' names no commit of the site repository");
        var from = (await store.GetSiteStateAsync(site, cancellationToken).ConfigureAwait(false))?.Revision is { } deployed && cache.Resolve(deployed) is not null ? deployed : null;
        var rollback = from is not null && from != to && IsAncestor(to, from);
        var notes = from is null || rollback || from == to
            ? []
            : (await ReleaseNoteGatherer.GatherAsync(cache.GitDirectory, from, to, view.Repository, Notes(), cancellationToken).ConfigureAwait(false)).Notes;
        var history = await store.ListSiteDeploysAsync(site, 10_000, cancellationToken).ConfigureAwait(false);
        var request = new DeploymentRequest
        {
            Site = site,
            Environment = stage.Environment,
            Region = view.Sites[site].Region,
            Number = history.Count(d => !d.DryRun && d.Result == "Succeeded") + 1,
            From = from,
            To = to,
            Rollback = rollback,
            RepoLink = RepoLink(view.Repository),
            Label = stage.Label,
            Changes = notes,
            Plan = Plan(site, from, to),
        };
        var (pullRequest, changed) = await _writer.OpenOrUpdateAsync(view.Repository, view.Policy.Branch, request, cancellationToken).ConfigureAwait(false);
        if (changed)
        {
            Log.Proposed(logger, site, to, pullRequest.Number);
        }

        return pullRequest;
    }

    /// <summary>
    /// The open deployment pull requests by site (one list call, answered from GitHub's cache when
    /// nothing changed); empty without promotion, or when GitHub cannot be reached (the sites API
    /// then shows none rather than failing).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, OpenDeployment>> OpenDeploymentsAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (await ViewAsync(cancellationToken).ConfigureAwait(false) is not { } view)
            {
                return new Dictionary<string, OpenDeployment>();
            }

            var open = await forge.ListOpenPullRequestsAsync(view.Repository, cancellationToken).ConfigureAwait(false);
            var link = RepoLink(view.Repository);
            return open
                .Where(pr => DeploymentPullRequests.SiteOfBranch(pr.HeadRef) is { } site && view.Sites.ContainsKey(site))
                .GroupBy(pr => DeploymentPullRequests.SiteOfBranch(pr.HeadRef)!, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First() is var pr
                    ? new OpenDeployment(pr.Number, pr.Title, $"{link}/pull/{pr.Number}", DeploymentPullRequests.ReadMark(pr.Body)?.To)
                    : null!, StringComparer.Ordinal);
        }
        catch (Exception e) when (e is Octokit.ApiException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Log.OpenUnknown(logger, e.Message);
            return new Dictionary<string, OpenDeployment>();
        }
    }

    /// <summary>Whether every site of <paramref name="environment"/> runs <paramref name="revision"/> (and it has sites).</summary>
    public async Task<bool> EnvironmentRunsAsync(PromotionView view, string environment, string revision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        var sites = view.SitesOf(environment);
        var deployed = await DeployedAsync(cancellationToken).ConfigureAwait(false);
        return sites.Count > 0 && sites.All(s => deployed.GetValueOrDefault(s.Name) == revision);
    }

    /// <summary>The revision each site runs, in one read of the store (not one per site).</summary>
    private async Task<Dictionary<string, string?>> DeployedAsync(CancellationToken cancellationToken) =>
        (await store.ListSiteStatesAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(s => s.Site, s => s.Revision, StringComparer.Ordinal);

    /// <summary>
    /// What follows a revision that runs on every site of <paramref name="environment"/>: its tag,
    /// a release when it is the chain's last environment, deployment pull requests for the next one.
    /// </summary>
    /// <remarks><paramref name="before"/>: what the environment ran before (a first release's notes start there).</remarks>
    public async Task CompleteEnvironmentAsync(PromotionView view, string environment, string revision, string? before, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        await TagAsync(view, environment, revision, cancellationToken).ConfigureAwait(false);
        if (view.Policy.Next(environment) is not { } next)
        {
            if (view.Policy.Position(environment) >= 0)
            {
                await ReleaseAsync(view, revision, before, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        if (next.Rollout is not null)
        {
            // An environment with a rollout policy gets the revision wave by wave, not by a pull request per site;
            // the rollout's own pull request follows its start (RolloutPullRequestService).
            var answer = await rollouts.StartAsync(next.Environment, revision, PromotionActor, cancellationToken).ConfigureAwait(false);
            if (answer.Rollout is { } started && answer.Status == StatusCodes.Status201Created)
            {
                Log.RolloutStarted(logger, started.Name, next.Environment, revision);
            }
            else
            {
                Log.RolloutNotStarted(logger, next.Environment, revision, answer.Message ?? answer.Status.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            return;
        }

        var deployed = await DeployedAsync(cancellationToken).ConfigureAwait(false);
        foreach (var site in view.SitesOf(next.Environment))
        {
            if (deployed.GetValueOrDefault(site.Name) != revision)
            {
                await ProposeAsync(view, site.Name, revision, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary><c>&lt;environment&gt;/&lt;N&gt;</c> on <paramref name="revision"/>, N one more than the environment's last; nothing when one points there already.</summary>
    private async Task TagAsync(PromotionView view, string environment, string revision, CancellationToken cancellationToken)
    {
        var prefix = environment + "/";
        var tags = await writes.ListTagsAsync(view.Repository, prefix, cancellationToken).ConfigureAwait(false);
        if (tags.Values.Contains(revision, StringComparer.Ordinal))
        {
            return;
        }

        var next = tags.Keys.Select(t => int.TryParse(t.AsSpan(prefix.Length), System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0).DefaultIfEmpty(0).Max() + 1;
        var tag = prefix + next.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (await writes.CreateTagAsync(view.Repository, tag, revision, cancellationToken).ConfigureAwait(false))
        {
            Log.Tagged(logger, tag, revision);
        }
    }

    /// <summary>
    /// A production release: <c>vX.Y.Z</c> bumped from the last one by the kinds of the pull requests
    /// merged since (<see cref="ReleaseVersion"/>), with a GitHub Release whose body is their notes.
    /// Before the first release, the range starts at what the environment ran before (<paramref name="before"/>).
    /// </summary>
    private async Task ReleaseAsync(PromotionView view, string revision, string? before, CancellationToken cancellationToken)
    {
        var versions = (await writes.ListTagsAsync(view.Repository, "v", cancellationToken).ConfigureAwait(false))
            .Where(t => TryVersion(t.Key) is not null)
            .OrderByDescending(t => TryVersion(t.Key))
            .ToList();
        if (versions.Any(v => v.Value == revision))
        {
            return;
        }

        var previous = versions.FirstOrDefault(v => cache.Resolve(v.Value) is not null);
        var start = previous.Key is not null ? previous.Value : before is not null && cache.Resolve(before) is not null && before != revision ? before : null;
        var notes = start is null
            ? []
            : (await ReleaseNoteGatherer.GatherAsync(cache.GitDirectory, start, revision, view.Repository, Notes(), cancellationToken).ConfigureAwait(false)).Notes;
        var version = ReleaseVersion.Next(previous.Key ?? "v0.0.0", notes);
        var document = ReleaseNotesDocument.Build(notes);
        var body = document.IsEmpty ? "No release notes: no pull request merged since the previous release has one.\n" : document.ToMarkdown();
        if (await writes.GetReleaseAsync(view.Repository, version, cancellationToken).ConfigureAwait(false) is null)
        {
            await writes.CreateReleaseAsync(view.Repository, version, revision, version, body, cancellationToken).ConfigureAwait(false);
            Log.Released(logger, version, revision);
        }
    }

    private static (int, int, int)? TryVersion(string tag)
    {
        try
        {
            return ReleaseVersion.Parse(tag);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Pull requests read from GitHub, or from those the store recorded when GitHub cannot be reached.</summary>
    private FallbackPullRequestSource Notes() => new(new ForgePullRequestSource(forge), new StorePullRequestSource(store));

    /// <summary>The site's plan between the revisions, as <c>mship plan</c> prints it (empty when it cannot be planned).</summary>
    private string Plan(string site, string? from, string to)
    {
        var charts = ServerOptionsValidator.NullIfEmpty(options.Value.Cloud.Charts);
        using var plans = RepositoryPlanner.PlanSites(new SitePlansRequest { Repository = cache.GitDirectory, Sites = [site], From = from, To = to }, new ChartStore(charts));
        return plans.Sites.FirstOrDefault()?.Planned is { } planned ? PlanFormats.Text(planned.Plan) : "";
    }

    private bool IsAncestor(string ancestor, string of)
    {
        using var repository = new LibGit2Sharp.Repository(cache.GitDirectory);
        var a = repository.Lookup(ancestor)?.Peel<LibGit2Sharp.Commit>();
        var b = repository.Lookup(of)?.Peel<LibGit2Sharp.Commit>();
        return a is not null && b is not null && repository.ObjectDatabase.FindMergeBase(a, b)?.Sha == a.Sha;
    }

    /// <summary>The repository's web page, on github.com or the GitHub Enterprise host of <c>GitHub:ApiUrl</c> (the approve plugin's rule).</summary>
    private string RepoLink(RepositoryName repository) =>
        $"{ApprovePlugin.WebRootOf(new Uri(options.Value.GitHub.ApiUrl)).ToString().TrimEnd('/')}/{repository}";

    /// <summary><c>OWNER/NAME</c> of a GitHub URL of the site repository; null for anything else (a path).</summary>
    internal static RepositoryName? RepositoryOf(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"
        && uri.AbsolutePath.Trim('/') is var path && RepositoryName.TryParse(path.EndsWith(".git", StringComparison.Ordinal) ? path[..^4] : path, out var name)
            ? name
            : null;

    /// <summary>The view read at a commit (one reference, so replicas' threads never see half of it).</summary>
    private sealed record TipView(string Tip, PromotionView? View);

    /// <summary>Who a rollout the promotion starts names as its actor.</summary>
    public const string PromotionActor = "promotion";

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Promotion started rollout {Name} of {Environment} to {Revision}")]
        public static partial void RolloutStarted(ILogger logger, string name, string environment, string revision);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Promotion could not start a rollout of {Environment} to {Revision}: {Reason}")]
        public static partial void RolloutNotStarted(ILogger logger, string environment, string revision, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "Deployment pull request #{Number} proposes {Revision} for site {Site}")]
        public static partial void Proposed(ILogger logger, string site, string revision, int number);

        [LoggerMessage(Level = LogLevel.Information, Message = "Tagged {Revision} {Tag}")]
        public static partial void Tagged(ILogger logger, string tag, string revision);

        [LoggerMessage(Level = LogLevel.Warning, Message = "The open deployment pull requests could not be read from GitHub: {Error}")]
        public static partial void OpenUnknown(ILogger logger, string error);

        [LoggerMessage(Level = LogLevel.Information, Message = "Released {Version} at {Revision}")]
        public static partial void Released(ILogger logger, string version, string revision);
    }
}
