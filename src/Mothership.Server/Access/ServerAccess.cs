using System.Collections.Immutable;
using System.Security.Claims;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mothership.Cloud.Access;
using Mothership.Cloud.Sites;
using Mothership.Cloud.Sources;
using Mothership.Model.Diagnostics;
using Mothership.Model.Tekton.Vocabulary;
using Mothership.Server.Cloud;
using Mothership.Server.Hosting;
using Mothership.Server.Identity;
using Mothership.Store;

namespace Mothership.Server.Access;

/// <summary>
/// The server's access policy (README, "Permissions"): the server's file
/// (<see cref="AuthOptions.PolicyFile"/>, read once: the server did not start when it had a
/// mistake) merged with the site repository's <c>policy.csv</c> at the cached tip (re-read only
/// when the tip moves), and <see cref="AuthOptions.DefaultRole"/>. Enforced when either file or the
/// default role exists; otherwise every question answers "not enforced" and the server behaves as
/// without permissions. The bootstrap admin (<see cref="MothershipClaims.IsAdmin"/>) is always
/// <c>role:admin</c> and cannot be denied, so a bad policy cannot lock the server's owner out.
/// </summary>
internal sealed partial class ServerAccess
{
    /// <summary>Where the site repository keeps its policy.</summary>
    public const string RepositoryPolicyPath = "policy.csv";

    private static readonly PolicyRule AdminRule = AccessRoles.BuiltInRules.Single(r => r.Subject == AccessRoles.Admin);

    /// <summary>The view while the site repository, and so its policy, is unknown: enforced, nobody but the bootstrap admin allowed.</summary>
    private static readonly AccessView NotFetched = new(true, AccessPolicy.Create([]), ImmutableDictionary<string, string>.Empty,
        "the site repository has not been fetched yet, so its policy.csv is unknown: only the bootstrap admin is allowed until a fetch succeeds");

    private readonly ServerOptions _options;
    private readonly SiteRepositoryCache _cache;
    private readonly ILogger<ServerAccess> _logger;
    private readonly PolicyFile? _serverFile;
    private TipAccess? _last;
    private PolicyFile? _lastGoodRepositoryFile;

    public ServerAccess(IOptions<ServerOptions> options, SiteRepositoryCache cache, ILogger<ServerAccess> logger)
    {
        _options = options.Value;
        _cache = cache;
        _logger = logger;
        if (!string.IsNullOrWhiteSpace(_options.Auth.PolicyFile))
        {
            // Checked by the options validator at start: a mistake there stopped the server.
            _serverFile = PolicyCsvParser.ReadFile(_options.Auth.PolicyFile, new DiagnosticBag());
        }
    }

    /// <summary>
    /// The policy in force now: the site repository's cached tip, fetched again in the background at
    /// most every <see cref="SiteRepositoryCache.FetchInterval"/> (<see cref="SiteRepositoryCache.RefreshForReadersAsync"/>).
    /// While the repository has never been fetched and the cache holds no tip (its first fetch
    /// failed), only the bootstrap admin passes: its policy.csv is unknown, and enforcement never
    /// fails open.
    /// </summary>
    public async Task<AccessView> CurrentAsync(CancellationToken cancellationToken)
    {
        string? tip = null;
        if (_cache.Configured)
        {
            try
            {
                await _cache.RefreshForReadersAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SiteSourceException e)
            {
                // The cached tip (and its policy) stays in force; the cache logged why.
                Log.RepositoryUnavailable(_logger, e.Message);
            }

            tip = _cache.Resolve(null);
            if (tip is null && !_cache.Fetched)
            {
                return NotFetched;
            }
        }

        if (tip is null && !_options.Auth.PolicyConfigured)
        {
            return AccessView.Open;
        }

        if (Volatile.Read(ref _last) is { } last && last.Tip == tip)
        {
            return last.View;
        }

        var view = Read(tip);
        Volatile.Write(ref _last, new TipAccess(tip, view));
        return view;
    }

    /// <summary>Whether <paramref name="user"/> may do <paramref name="action"/> on <paramref name="resource"/> <paramref name="obj"/>; null when nothing is enforced.</summary>
    public async Task<AccessDecision?> DecideAsync(ClaimsPrincipal user, string resource, string action, string obj, CancellationToken cancellationToken) =>
        Decide(await CurrentAsync(cancellationToken).ConfigureAwait(false), user, resource, action, obj);

    /// <summary>As <see cref="DecideAsync"/>, against <paramref name="view"/>.</summary>
    public static AccessDecision? Decide(AccessView view, ClaimsPrincipal user, string resource, string action, string obj)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(user);
        if (!view.Enforced)
        {
            return null;
        }

        return MothershipClaims.IsAdmin(user) ? new AccessDecision(true, AdminRule, false) : view.Policy.Decide(SubjectOf(user), resource, action, obj);
    }

    /// <summary>The roles of <paramref name="user"/> (<c>role:admin</c> for the bootstrap admin); empty when nothing is enforced.</summary>
    public async Task<ImmutableArray<string>> RolesOfAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        var view = await CurrentAsync(cancellationToken).ConfigureAwait(false);
        if (!view.Enforced)
        {
            return [];
        }

        var roles = view.Policy.RolesOf(SubjectOf(user));
        return MothershipClaims.IsAdmin(user) && !roles.Contains(AccessRoles.Admin) ? [.. roles.Append(AccessRoles.Admin).Order(StringComparer.Ordinal)] : roles;
    }

    /// <summary>The policy subject of a caller: the claims contract's name (empty when anonymous) and groups.</summary>
    public static AccessSubject SubjectOf(ClaimsPrincipal user) =>
        new(MothershipClaims.NameOf(user) ?? "", [.. MothershipClaims.GroupsOf(user)]);

    /// <summary>
    /// The object of a run: <c>ENVIRONMENT/SITE</c> when it carries the site label — the environment
    /// as the site repository says, else the run's environment label (written at deploy intake) —
    /// otherwise <c>-/NAME</c>. The repository wins over the label, which whoever creates a run writes.
    /// </summary>
    public static string RunObject(AccessView view, string name, IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.TryGetValue(MothershipLabels.Site, out var site) && site.Length > 0)
        {
            if (view.Environments.TryGetValue(site, out var environment)
                || (labels.TryGetValue(MothershipLabels.Environment, out environment) && environment.Length > 0 && !environment.Contains('/', StringComparison.Ordinal)))
            {
                return AccessObject.ForSite(environment, site);
            }
        }

        return AccessObject.Unscoped(name);
    }

    /// <summary>The object of a stored run.</summary>
    public static string RunObject(AccessView view, RunSummary run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return RunObject(view, run.Name, run.Labels);
    }

    private AccessView Read(string? tip)
    {
        var environments = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        PolicyFile? repositoryFile = null;
        string? error = null;
        var fromRepository = false;
        if (tip is not null)
        {
            using var files = _cache.Open(tip);
            foreach (var name in SiteRepositoryLoader.SiteNames(files))
            {
                if (SiteRepositoryLoader.LoadSite(files, name, "", new DiagnosticBag()) is { } site)
                {
                    environments[name] = site.Environment;
                }
            }

            if (files.ReadText(RepositoryPolicyPath) is { } text)
            {
                fromRepository = true;
                var bag = new DiagnosticBag();
                var parsed = PolicyCsvParser.Parse($"{RepositoryPolicyPath}@{tip[..12]}", text, bag);
                if (bag.HasErrors)
                {
                    error = string.Join("\n", bag.Sorted());
                    Log.RepositoryPolicyRefused(_logger, tip[..12], error, Volatile.Read(ref _lastGoodRepositoryFile)?.File ?? "none: only the admin is allowed");
                    repositoryFile = Volatile.Read(ref _lastGoodRepositoryFile);
                }
                else
                {
                    repositoryFile = parsed;
                    Volatile.Write(ref _lastGoodRepositoryFile, parsed);
                }
            }
            else if (Volatile.Read(ref _lastGoodRepositoryFile) is not null)
            {
                // The file was removed: enforcement goes on with what the server configures, never falls back to open.
                fromRepository = true;
            }
        }

        var enforced = _options.Auth.PolicyConfigured || fromRepository;
        if (error is not null && repositoryFile is null)
        {
            // Never fail open: with no good repository policy yet, nobody but the bootstrap admin passes.
            return new AccessView(true, AccessPolicy.Create([]), environments.ToImmutable(), error);
        }

        IEnumerable<PolicyFile> sources = [.. _serverFile is null ? [] : new[] { _serverFile }, .. repositoryFile is null ? [] : new[] { repositoryFile }];
        return new AccessView(enforced, AccessPolicy.Create(sources, _options.Auth.DefaultRole), environments.ToImmutable(), error);
    }

    private sealed record TipAccess(string? Tip, AccessView View);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "The site repository could not be fetched; the access policy of the cached tip stays in force: {Error}")]
        public static partial void RepositoryUnavailable(ILogger logger, string error);

        [LoggerMessage(Level = LogLevel.Error, Message = "The site repository's policy.csv at {Commit} has mistakes and is not used (in force: {InForce}):\n{Errors}")]
        public static partial void RepositoryPolicyRefused(ILogger logger, string commit, string errors, string inForce);
    }
}
