using System.Collections.Immutable;
using System.Net;
using Microsoft.Extensions.Options;
using Mothership.Model.Limits;
using Mothership.Model.Tekton.Vocabulary;
using Mothership.Store;

namespace Mothership.Server.Hosting;

/// <summary>
/// Settings of <c>mship server</c>, bound from the <c>Mothership</c> section of configuration
/// (<c>appsettings.json</c>, environment variables <c>Mothership__Database</c>, …, then flags).
/// </summary>
public sealed class ServerOptions
{
    public const string Section = "Mothership";

    /// <summary><c>sqlite:PATH</c> or <c>postgres://user@host:port/db</c>. Default: <c>sqlite:.mothership/mothership.db</c>.</summary>
    public string Database { get; set; } = "sqlite:.mothership/mothership.db";

    /// <summary>Where to listen. Default: <c>http://127.0.0.1:8080</c> (loopback only).</summary>
    public string Urls { get; set; } = "http://127.0.0.1:8080";

    /// <summary>Which executor runs tasks: <c>local</c> (processes on this machine) or <c>kubernetes</c> (one pod per TaskRun). Default: <c>local</c>.</summary>
    public string Executor { get; set; } = "local";

    /// <summary>
    /// With the Kubernetes executor: the namespace of the TaskRun pods. Default: the server's own
    /// namespace when it runs in a pod, else <c>default</c>.
    /// </summary>
    public string? KubernetesNamespace { get; set; }

    /// <summary>
    /// With the Kubernetes executor, and for the sites whose deploys run as pods (their
    /// <c>cluster.context</c> is one of its contexts): a kubeconfig file. Default: in-cluster
    /// credentials in a pod, else <c>~/.kube/config</c> (or <c>$KUBECONFIG</c>).
    /// </summary>
    public string? Kubeconfig { get; set; }

    /// <summary>With the Kubernetes executor: the kubeconfig context. Default: the file's current context.</summary>
    public string? KubernetesContext { get; set; }

    /// <summary>
    /// With the Kubernetes executor: Tekton's <c>results-from</c>, <c>termination-message</c> (all
    /// results of a TaskRun together at most 4 KiB, Tekton's default) or <c>sidecar-logs</c> (each
    /// result at most <see cref="KubernetesMaxResultSize"/>).
    /// </summary>
    public string KubernetesResultsFrom { get; set; } = "termination-message";

    /// <summary>
    /// With the Kubernetes executor: this server's name on the pods, claims and Secrets it makes
    /// (<c>app.kubernetes.io/instance</c>). It sweeps only its own leftovers, so servers with
    /// different stores sharing a namespace need different names. Default <c>mothership</c>.
    /// </summary>
    public string KubernetesInstance { get; set; } = "mothership";

    /// <summary>
    /// With the Kubernetes executor: registry hosts mapped to where their API answers (mirrors),
    /// for reading the config of an image whose step has no command. Default none (each host at
    /// https://HOST, Docker Hub at registry-1.docker.io).
    /// </summary>
    /// <remarks><c>HOST=URL</c> entries (a list, since a registry host may have a port, which a configuration key cannot hold).</remarks>
    public string[] KubernetesRegistries { get; set; } = [];

    /// <summary>With <c>sidecar-logs</c> results: the most bytes of one result (Tekton's <c>max-result-size</c>). Default 4096, at most 1.5 MiB.</summary>
    public int KubernetesMaxResultSize { get; set; } = 4096;

    /// <summary>
    /// With the Kubernetes executor: how often the server deletes what runs that ended (or were
    /// deleted) left in the namespace — pods of a server that died, claims made from
    /// volumeClaimTemplates. Also once at start. Default: 10 minutes.
    /// </summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The shared bootstrap token: it authenticates as <c>admin</c> (the admin role). When it (or
    /// <see cref="AuthOptions.Oidc"/>) is set, every mutating endpoint needs an authenticated
    /// caller; required when <see cref="Urls"/> is not loopback. Default: none (loopback only).
    /// </summary>
    public string? Token { get; set; }

    /// <summary>Who callers are besides the bootstrap <see cref="Token"/>: OIDC bearer tokens (personal API tokens need no setting).</summary>
    public AuthOptions Auth { get; set; } = new();

    /// <summary>
    /// Host names this server answers to besides <c>localhost</c> and IP addresses, separated by
    /// ';': <c>NAME</c> (any port), <c>NAME:PORT</c>, or <c>*</c> for any (when a proxy in front
    /// checks the host). A request for another host is refused, so a web page cannot reach the
    /// server by pointing a DNS name at it (DNS rebinding). Required when <see cref="Urls"/> is not
    /// loopback. Default: none.
    /// </summary>
    public string? AllowedHosts { get; set; }

    /// <summary>This replica's name in leases. Default: <c>HOST-PID</c>.</summary>
    public string? ReplicaId { get; set; }

    /// <summary>How many TaskRun attempts run at once on this server, shared fairly across pipelines. Default: processors × 2.</summary>
    public int MaxConcurrentTaskRuns { get; set; } = Environment.ProcessorCount * 2;

    /// <summary>How many runs this replica drives at once (claims no more). Default: 64.</summary>
    public int MaxActiveRuns { get; set; } = 64;

    /// <summary>How long a claimed run stays ours without renewal; another replica takes it over after that. Default: 15 s.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often the server looks for work and renews its leases. Default: 1 s.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Where TaskRun directories go. Default: <c>.mothership/runs</c>.</summary>
    public string Workdir { get; set; } = Path.Combine(".mothership", "runs");

    /// <summary>Runs every step under bubblewrap (read-only host, no network). Default: false.</summary>
    public bool Sandbox { get; set; }

    /// <summary>Largest request body accepted, in bytes. Default: 4 MiB.</summary>
    public long MaxRequestBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Retention of finished runs.</summary>
    public RetentionOptions Retention { get; set; } = new();

    /// <summary>The GitHub side of the CI bot: the webhook's secret (and, as the bot grows, its credentials).</summary>
    public GitHubOptions GitHub { get; set; } = new();

    /// <summary>The CI bot's jobs: Prow's job config and plugins files.</summary>
    public CiOptions Ci { get; set; } = new();

    /// <summary>The site repository whose sites the server deploys (<c>POST /api/v1/sites/SITE/deploys</c>).</summary>
    public CloudOptions Cloud { get; set; } = new();

    /// <summary>
    /// The server's address as users reach it (<c>https://mothership.example.com</c>), for links it
    /// writes elsewhere: a GitHub status's details link to the run's dashboard page. Default none (statuses without a link).
    /// </summary>
    public string? PublicUrl { get; set; }
}

/// <summary>How callers authenticate besides the bootstrap token.</summary>
public sealed class AuthOptions
{
    /// <summary>OIDC bearer tokens (JWTs) from one issuer. Default: none.</summary>
    public OidcOptions Oidc { get; set; } = new();

    /// <summary>
    /// The server's access policy file (Argo CD's RBAC CSV), merged with the site repository's
    /// <c>policy.csv</c>; a mistake in it stops the server at start (<c>FILE:LINE:COL</c>). Default:
    /// none. With no policy at all (no file, no default role, no <c>policy.csv</c> in the site
    /// repository) nothing is enforced beyond authentication.
    /// </summary>
    public string? PolicyFile { get; set; }

    /// <summary>The role every caller has (<c>role:NAME</c>, Argo CD's <c>policy.default</c>); setting it turns enforcement on. Default: none.</summary>
    public string? DefaultRole { get; set; }

    /// <summary>Whether the server configures a policy itself (the site repository may still bring one).</summary>
    public bool PolicyConfigured => !string.IsNullOrWhiteSpace(PolicyFile) || !string.IsNullOrWhiteSpace(DefaultRole);
}

/// <summary>
/// OIDC bearer tokens: JWTs signed by <see cref="Issuer"/>'s keys (its discovery document's JWKS),
/// for <see cref="Audience"/>, within their lifetime.
/// </summary>
public sealed class OidcOptions
{
    /// <summary>
    /// The issuer's URL, exactly as its tokens' <c>iss</c> claim says; its discovery document is
    /// <c>ISSUER/.well-known/openid-configuration</c>. Must be https, except on a loopback address
    /// (a test issuer). Default none: OIDC tokens are not accepted.
    /// </summary>
    public string? Issuer { get; set; }

    /// <summary>The <c>aud</c> the tokens must carry (the client id the issuer gives this server). Required with <see cref="Issuer"/>.</summary>
    public string? Audience { get; set; }

    /// <summary>The claim listing the caller's groups. Default: <c>groups</c>.</summary>
    public string GroupsClaim { get; set; } = "groups";

    /// <summary>The claim naming the caller (their login); <c>sub</c> when a token lacks it. Default: <c>preferred_username</c>.</summary>
    public string NameClaim { get; set; } = "preferred_username";

    /// <summary>Whether an issuer is configured.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Issuer);

    /// <summary>Whether <paramref name="issuer"/> may be fetched over plain http: only on a loopback address.</summary>
    public static bool IsLoopbackHttp(Uri issuer) =>
        issuer.Scheme == "http" && (issuer.IsLoopback || (IPAddress.TryParse(issuer.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)));
}

/// <summary>The cloud layer on the server: the site repository it deploys from.</summary>
public sealed class CloudOptions
{
    /// <summary>
    /// The site repository: a git URL (<c>https://…</c>, <c>ssh://…</c>, <c>file://…</c>) or a local
    /// path. The server keeps one bare cache of it under its data directory, fetched before a deploy
    /// is planned (at most every few seconds). Default none: the sites endpoints answer 404.
    /// </summary>
    public string? Repository { get; set; }

    /// <summary>
    /// A file whose first line is a token for an https <see cref="Repository"/>, sent as an HTTP
    /// Authorization header (never in a URL or a log; re-read at each fetch). Default none.
    /// </summary>
    public string? TokenFile { get; set; }

    /// <summary>A folder of unpacked repository charts (<c>DIR/CHART/Chart.yaml</c>), as <c>mship deploy --charts</c>. Default none.</summary>
    public string? Charts { get; set; }

    /// <summary>
    /// How often each deployed site is checked for drift (its releases' chart versions and values,
    /// as helm reports them, against the site repository at the deployed revision); also right
    /// after each successful deploy. <c>0</c> turns the automatic checks off
    /// (<c>POST /api/v1/sites/SITE/drift</c> still checks). Default: 10 minutes.
    /// </summary>
    public TimeSpan DriftInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A folder of kubeconfig files that a site's <c>cluster.kubeconfig</c> may name, relative to
    /// it (the site repository names no other file of the server). Default none: a site that
    /// names a kubeconfig is refused, one that names none uses the server's (<c>Kubeconfig</c>).
    /// </summary>
    public string? Kubeconfigs { get; set; }

    /// <summary>The token of <see cref="TokenFile"/>; null when none is set or the file cannot be read or is empty.</summary>
    public string? ReadToken()
    {
        try
        {
            return TokenFile is { Length: > 0 } file && File.ReadLines(file).FirstOrDefault()?.Trim() is { Length: > 0 } token ? token : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>The CI bot's job configuration.</summary>
public sealed class CiOptions
{
    /// <summary>
    /// Prow's <c>config.yaml</c>, or a directory of job files (Prow's <c>--job-config-path</c>):
    /// presubmits, postsubmits, periodics. Read at start (errors stop the server) and again when it
    /// changes (errors keep the jobs in force). Needs <c>GitHub:WebhookSecretFile</c> and <c>GitHub:TokenFile</c> (or <c>GitHub:AppId</c>). Default none.
    /// </summary>
    public string? Config { get; set; }

    /// <summary>Prow's <c>plugins.yaml</c>: its <c>triggers</c> say who is trusted per organisation or repository. Default none (Prow's defaults).</summary>
    public string? Plugins { get; set; }

    /// <summary>The image of the checkout step on Kubernetes. Default <c>docker.io/alpine/git:2.47.2</c>.</summary>
    public string CloneImage { get; set; } = Mothership.Ci.Triggers.CloneRefs.DefaultImage;

    /// <summary>How often the files are checked for changes. Default: 10 s.</summary>
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>How the server meets GitHub.</summary>
public sealed class GitHubOptions
{
    /// <summary>
    /// The file holding the webhook's secret, one a line: several lines while a secret is rotated
    /// (any of them signs a valid delivery). Without it, <c>POST /hook</c> answers 404.
    /// </summary>
    public string? WebhookSecretFile { get; set; }

    /// <summary>
    /// The file holding the bot's GitHub token (its first line). Without it (or <see cref="AppId"/>),
    /// nothing is asked of GitHub.
    /// </summary>
    public string? TokenFile { get; set; }

    /// <summary>
    /// The GitHub App the bot speaks as, instead of <see cref="TokenFile"/>: its App ID. Each
    /// repository's calls use its installation's token (renewed before it expires), and results
    /// are also reported as check runs. Needs <see cref="PrivateKeyFile"/>. Default none.
    /// </summary>
    public long? AppId { get; set; }

    /// <summary>The GitHub App's private key (the PEM file GitHub lets you download), with <see cref="AppId"/>. Default none.</summary>
    public string? PrivateKeyFile { get; set; }

    /// <summary>GitHub's REST API: <c>https://api.github.com/</c>, or a GitHub Enterprise server's (<c>https://HOST/api/v3/</c>).</summary>
    public string ApiUrl { get; set; } = "https://api.github.com/";

    /// <summary>
    /// The hooks whose missed deliveries are recovered: <c>OWNER/REPO:ID</c> or <c>ORG:ID</c>; needs
    /// <see cref="TokenFile"/> (a token that may read the hooks) or <see cref="AppId"/>. Default none.
    /// </summary>
    public string[] Hooks { get; set; } = [];

    /// <summary>How often GitHub is asked for the watched hooks' failed deliveries. Default: 10 minutes.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The token of <see cref="TokenFile"/>; null when none is set or the file cannot be read or is empty.</summary>
    public string? ReadToken()
    {
        try
        {
            return TokenFile is { Length: > 0 } file && File.ReadLines(file).FirstOrDefault()?.Trim() is { Length: > 0 } token ? token : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Whether GitHub is reached at all: a token or an app is set.</summary>
    public bool HasCredentials => !string.IsNullOrEmpty(TokenFile) || AppId is not null;

    /// <summary>The key of <see cref="PrivateKeyFile"/>; null, with the reason, when none is set or the file holds no RSA private key.</summary>
    public System.Security.Cryptography.RSA? ReadPrivateKey(out string? error)
    {
        error = "no file set";
        try
        {
            return PrivateKeyFile is { Length: > 0 } file ? Mothership.Ci.Forge.GitHubAppCredentials.ReadPrivateKey(File.ReadAllText(file), out error) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = "no readable file there";
            return null;
        }
    }

    /// <summary>The secrets of <see cref="WebhookSecretFile"/>; empty when none is set or the file cannot be read.</summary>
    public IReadOnlyList<string> ReadWebhookSecrets()
    {
        try
        {
            return WebhookSecretFile is { Length: > 0 } file ? Mothership.Ci.Hooks.WebhookSignature.ReadSecrets(File.ReadAllText(file)) : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}

/// <summary>
/// One retention rule, as configured (durations as TimeSpans, e.g. <c>30.00:00:00</c>). Every
/// setting defaults to none: keep everything.
/// </summary>
public class RetentionRuleOptions
{
    /// <summary>Keep at most this many successful runs per pipeline.</summary>
    public int? KeepLast { get; set; }

    /// <summary>Keep at most this many failed runs per pipeline. Default: <see cref="KeepLast"/>.</summary>
    public int? KeepLastFailed { get; set; }

    /// <summary>Delete successful runs completed longer ago.</summary>
    public TimeSpan? MaxAge { get; set; }

    /// <summary>Delete failed runs completed longer ago ("keep failed longer"). Default: <see cref="MaxAge"/>.</summary>
    public TimeSpan? FailedMaxAge { get; set; }

    public RetentionRule ToRule() => new() { KeepLast = KeepLast, KeepLastFailed = KeepLastFailed, MaxAge = MaxAge, FailedMaxAge = FailedMaxAge };
}

/// <summary>The global retention rule (its own settings), rules per pipeline, and when the server applies them.</summary>
public sealed class RetentionOptions : RetentionRuleOptions
{
    /// <summary>Cron expression (5 fields, UTC) for the pruning job; empty disables it. Default: <c>0 * * * *</c> (hourly).</summary>
    public string Schedule { get; set; } = "0 * * * *";

    /// <summary>Rules per pipeline, replacing the global rule for that pipeline.</summary>
    public Dictionary<string, RetentionRuleOptions> Pipelines { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How long handled webhook deliveries are kept (pending ones always are). Default: 30 days (<c>720h</c>).</summary>
    public TimeSpan? DeliveryMaxAge { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The store's policy.</summary>
    public RetentionPolicy ToPolicy() => new()
    {
        SucceededStatus = ConditionStatus.True,
        FailedStatus = ConditionStatus.False,
        Default = ToRule(),
        Pipelines = Pipelines.ToImmutableDictionary(kv => kv.Key, kv => kv.Value.ToRule(), StringComparer.Ordinal),
        DeliveryMaxAge = DeliveryMaxAge,
    };
}

/// <summary>Checks <see cref="ServerOptions"/> at start; every failure names the setting.</summary>
public sealed class ServerOptionsValidator : IValidateOptions<ServerOptions>
{
    /// <summary>The CI settings: files that exist and read without errors (each named at FILE:LINE:COL), the GitHub settings they need.</summary>
    private static void ValidateCi(ServerOptions o, List<string> errors)
    {
        if (o.PublicUrl is { Length: > 0 } publicUrl && (!Uri.TryCreate(publicUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            errors.Add($"PublicUrl: '{publicUrl}' is not an http(s) URL");
        }

        if (o.Ci.ReloadInterval <= TimeSpan.Zero)
        {
            errors.Add($"Ci:ReloadInterval: {Duration(o.Ci.ReloadInterval)} is not positive (a duration such as 30s)");
        }

        if (string.IsNullOrEmpty(o.Ci.Config) && string.IsNullOrEmpty(o.Ci.Plugins))
        {
            return;
        }

        if (string.IsNullOrEmpty(o.GitHub.WebhookSecretFile) || !o.GitHub.HasCredentials)
        {
            errors.Add("Ci:Config: jobs start on GitHub's webhooks and report to GitHub: set GitHub:WebhookSecretFile and GitHub:TokenFile "
                + "(or GitHub:AppId and GitHub:PrivateKeyFile) too");
        }

        foreach (var (setting, path) in new[] { ("Ci:Config", o.Ci.Config), ("Ci:Plugins", o.Ci.Plugins) })
        {
            if (path is { Length: > 0 } && !File.Exists(path) && !(setting == "Ci:Config" && Directory.Exists(path)))
            {
                errors.Add($"{setting}: no file at '{path}'");
            }
        }

        if (errors.Count == 0)
        {
            var problems = new Mothership.Ci.Jobs.JobConfigFiles(NullIfEmpty(o.Ci.Config), NullIfEmpty(o.Ci.Plugins)).Reload() ?? [];
            errors.AddRange(problems.Where(d => d.Severity == Mothership.Model.Diagnostics.Severity.Error).Select(d => $"Ci:Config: {d}"));
        }
    }

    /// <summary>The site repository: given when its token or charts are, a token that reads, a charts folder that exists.</summary>
    private static void ValidateCloud(CloudOptions cloud, List<string> errors)
    {
        if (cloud.Kubeconfigs is { Length: > 0 } kubeconfigs && !Directory.Exists(kubeconfigs))
        {
            errors.Add($"Cloud:Kubeconfigs: no folder at '{kubeconfigs}'");
        }

        if (cloud.DriftInterval < TimeSpan.Zero || cloud.DriftInterval > InputLimits.MaxTimeout)
        {
            errors.Add($"Cloud:DriftInterval: {Duration(cloud.DriftInterval)} is not a duration from 0 (off) to {InputLimits.MaxTimeout.TotalHours}h (default 10m)");
        }

        if (string.IsNullOrEmpty(cloud.Repository))
        {
            if (!string.IsNullOrEmpty(cloud.TokenFile) || !string.IsNullOrEmpty(cloud.Charts))
            {
                errors.Add("Cloud:Repository: Cloud:TokenFile and Cloud:Charts belong to a site repository: set Cloud:Repository (a git URL or a path) too");
            }

            return;
        }

        if (cloud.TokenFile is { Length: > 0 } tokenFile && cloud.ReadToken() is null)
        {
            errors.Add($"Cloud:TokenFile: no token in '{tokenFile}' (the file is missing, unreadable or empty)");
        }

        if (cloud.Charts is { Length: > 0 } charts && !Directory.Exists(charts))
        {
            errors.Add($"Cloud:Charts: no folder at '{charts}'");
        }

        if (!Cloud.SiteRepositoryCache.IsRemote(cloud.Repository) && !Directory.Exists(cloud.Repository))
        {
            errors.Add($"Cloud:Repository: '{cloud.Repository}' is neither a git URL (https://, ssh://, file://, git@HOST:PATH) nor a folder");
        }
    }

    /// <summary>A GitHub App instead of a token: an id, a key file with an RSA private key, and no token beside them.</summary>
    private static void ValidateGitHubApp(GitHubOptions github, List<string> errors)
    {
        if (github.AppId is null && string.IsNullOrEmpty(github.PrivateKeyFile))
        {
            return;
        }

        if (!string.IsNullOrEmpty(github.TokenFile))
        {
            errors.Add("GitHub:AppId: the bot speaks either with a token or as a GitHub App: set GitHub:TokenFile, or GitHub:AppId and GitHub:PrivateKeyFile, not both");
        }

        if (github.AppId is null)
        {
            errors.Add("GitHub:AppId: a GitHub App's private key is set (GitHub:PrivateKeyFile) but not its App ID: set GitHub:AppId too (the app's settings page shows it)");
        }
        else if (github.AppId <= 0)
        {
            errors.Add($"GitHub:AppId: must be a positive number, the app's App ID (got {github.AppId})");
        }

        if (string.IsNullOrEmpty(github.PrivateKeyFile))
        {
            errors.Add("GitHub:PrivateKeyFile: a GitHub App signs its requests with its private key: set GitHub:PrivateKeyFile to the PEM file GitHub generated for it");
        }
        else
        {
            using var key = github.ReadPrivateKey(out var keyError);
            if (key is null)
            {
                errors.Add($"GitHub:PrivateKeyFile: no RSA private key in '{github.PrivateKeyFile}': {keyError}");
            }
        }
    }

    /// <summary>An issuer is an https URL (http only on loopback) with an audience and claim names.</summary>
    private static void ValidateOidc(OidcOptions oidc, List<string> errors)
    {
        if (!oidc.Enabled)
        {
            if (!string.IsNullOrWhiteSpace(oidc.Audience))
            {
                errors.Add("Auth:Oidc:Audience: set Auth:Oidc:Issuer too (the issuer whose tokens carry this audience)");
            }

            return;
        }

        if (!Uri.TryCreate(oidc.Issuer, UriKind.Absolute, out var issuer) || (issuer.Scheme != "https" && !OidcOptions.IsLoopbackHttp(issuer)))
        {
            errors.Add($"Auth:Oidc:Issuer: '{oidc.Issuer}' is not an https URL (plain http only on a loopback address, for tests)");
        }

        if (string.IsNullOrWhiteSpace(oidc.Audience))
        {
            errors.Add("Auth:Oidc:Audience: required with Auth:Oidc:Issuer: the audience (client id) the issuer puts in tokens for this server");
        }

        if (string.IsNullOrWhiteSpace(oidc.GroupsClaim) || string.IsNullOrWhiteSpace(oidc.NameClaim))
        {
            errors.Add("Auth:Oidc:GroupsClaim/NameClaim: a claim name may not be empty (defaults groups and preferred_username)");
        }
    }

    /// <summary>A default role is role:NAME; the policy file reads without a mistake (each one FILE:LINE:COL).</summary>
    private static void ValidatePolicy(AuthOptions auth, List<string> errors)
    {
        if (!string.IsNullOrWhiteSpace(auth.DefaultRole) && !Mothership.Cloud.Access.AccessRoles.IsRoleName(auth.DefaultRole))
        {
            errors.Add($"Auth:DefaultRole: '{auth.DefaultRole}' is not role:NAME (role:readonly, role:developer)");
        }

        if (string.IsNullOrWhiteSpace(auth.PolicyFile))
        {
            return;
        }

        var bag = new Mothership.Model.Diagnostics.DiagnosticBag();
        Mothership.Cloud.Access.PolicyCsvParser.ReadFile(auth.PolicyFile, bag);
        errors.AddRange(bag.Sorted().Where(d => d.Severity == Mothership.Model.Diagnostics.Severity.Error).Select(d => $"Auth:PolicyFile: {d}"));
    }

    internal static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    public ValidateOptionsResult Validate(string? name, ServerOptions o)
    {
        var errors = new List<string>();
        if (!o.Database.StartsWith("sqlite:", StringComparison.Ordinal) && !o.Database.StartsWith("postgres://", StringComparison.Ordinal)
            && !o.Database.StartsWith("postgresql://", StringComparison.Ordinal) && !o.Database.StartsWith("Host=", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"Database: '{o.Database}' is neither sqlite:PATH nor postgres://USER@HOST:PORT/DB");
        }

        if (string.IsNullOrWhiteSpace(o.Urls))
        {
            errors.Add("Urls: empty; give one or more http(s) URLs separated by ';' (default http://127.0.0.1:8080)");
        }

        if (string.IsNullOrWhiteSpace(o.Workdir))
        {
            errors.Add("Workdir: empty; give a directory (default .mothership/runs)");
        }

        var loopback = true;
        foreach (var url in o.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                errors.Add($"Urls: '{url}' is not an http(s) URL");
                continue;
            }

            loopback &= uri.IsLoopback || (IPAddress.TryParse(uri.Host, out var ip) && IPAddress.IsLoopback(ip));
        }

        if (!loopback && string.IsNullOrEmpty(o.Token))
        {
            errors.Add("Token: required when the server listens on a non-loopback address (set --token or Mothership__Token)");
        }

        ValidateOidc(o.Auth.Oidc, errors);
        ValidatePolicy(o.Auth, errors);

        if (Security.HostAllowList.Parse(o.AllowedHosts, out var hostErrors) is null)
        {
            errors.AddRange(hostErrors.Select(e => $"AllowedHosts: {e}"));
        }
        else if (!loopback && string.IsNullOrWhiteSpace(o.AllowedHosts))
        {
            errors.Add("AllowedHosts: required when the server listens on a non-loopback address: list the host names clients use "
                + "(--allowed-hosts or Mothership__AllowedHosts, e.g. 'mothership.example.com;mothership.ci.svc'), or '*' when a proxy in front checks the host");
        }

        if (o.GitHub.WebhookSecretFile is { Length: > 0 } secretFile && o.GitHub.ReadWebhookSecrets().Count == 0)
        {
            errors.Add(File.Exists(secretFile)
                ? $"GitHub:WebhookSecretFile: '{secretFile}' holds no secret (one a line)"
                : $"GitHub:WebhookSecretFile: no readable file at '{secretFile}'");
        }

        if (o.GitHub.TokenFile is { Length: > 0 } tokenFile && o.GitHub.ReadToken() is null)
        {
            errors.Add($"GitHub:TokenFile: no token in '{tokenFile}' (the file is missing, unreadable or empty)");
        }

        ValidateGitHubApp(o.GitHub, errors);

        if (!Uri.TryCreate(o.GitHub.ApiUrl, UriKind.Absolute, out var apiUrl) || apiUrl.Scheme is not ("http" or "https"))
        {
            errors.Add($"GitHub:ApiUrl: '{o.GitHub.ApiUrl}' is not an http(s) URL");
        }

        foreach (var hook in o.GitHub.Hooks)
        {
            if (Mothership.Ci.Hooks.DeliveryReconciler.ParseHook(hook, out var hookError) is null)
            {
                errors.Add($"GitHub:Hooks: {hookError}");
            }
        }

        if (o.GitHub.Hooks.Length > 0 && !o.GitHub.HasCredentials)
        {
            errors.Add("GitHub:Hooks: recovering a hook's missed deliveries asks GitHub for them: set GitHub:TokenFile (or GitHub:AppId and GitHub:PrivateKeyFile) too");
        }

        if (o.GitHub.ReconcileInterval <= TimeSpan.Zero)
        {
            errors.Add($"GitHub:ReconcileInterval: {Duration(o.GitHub.ReconcileInterval)} is not positive (a duration such as 10m)");
        }

        ValidateCi(o, errors);
        ValidateCloud(o.Cloud, errors);

        if (o.Executor is not ("local" or "kubernetes"))
        {
            errors.Add($"Executor: '{o.Executor}' is not an executor; use 'local' or 'kubernetes'");
        }

        if (!System.Text.RegularExpressions.Regex.IsMatch(o.KubernetesInstance, "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"))
        {
            errors.Add($"KubernetesInstance: '{o.KubernetesInstance}' is not a label value (lower-case letters, digits and '-', at most 63)");
        }

        if (Executors.Kubernetes.KubernetesExecutorOptions.ParseRegistries(o.KubernetesRegistries, out var registryError) is null)
        {
            errors.Add($"KubernetesRegistries: {registryError}");
        }

        if (Executors.Kubernetes.KubernetesExecutorOptions.ParseResultsFrom(o.KubernetesResultsFrom) is null)
        {
            errors.Add($"KubernetesResultsFrom: '{o.KubernetesResultsFrom}' is neither termination-message nor sidecar-logs");
        }

        if (o.KubernetesMaxResultSize is < 1 or > Executors.Kubernetes.KubernetesExecutorOptions.MaxResultSizeLimit)
        {
            errors.Add($"KubernetesMaxResultSize: {o.KubernetesMaxResultSize} is not between 1 and {Executors.Kubernetes.KubernetesExecutorOptions.MaxResultSizeLimit} bytes (1.5 MiB, Tekton's ceiling)");
        }

        if (o.Kubeconfig is { Length: > 0 } kubeconfig && !File.Exists(kubeconfig))
        {
            errors.Add($"Kubeconfig: no file at '{kubeconfig}'");
        }

        Positive(errors, nameof(o.MaxConcurrentTaskRuns), o.MaxConcurrentTaskRuns);
        Positive(errors, nameof(o.MaxActiveRuns), o.MaxActiveRuns);
        if (o.LeaseDuration < TimeSpan.FromSeconds(1) || o.PollInterval <= TimeSpan.Zero || o.PollInterval * 3 > o.LeaseDuration)
        {
            errors.Add($"LeaseDuration/PollInterval: {Duration(o.LeaseDuration)} and {Duration(o.PollInterval)}: the poll interval must be positive and the lease at least 1s "
                + "and at least three poll intervals (defaults 15s and 1s)");
        }

        // Both wait on timers (the poll interval is at most a third of the lease), which take at most about 49.7 days.
        foreach (var (setting, value) in new[] { (nameof(o.LeaseDuration), o.LeaseDuration), (nameof(o.SweepInterval), o.SweepInterval) })
        {
            if (value > InputLimits.MaxTimeout)
            {
                errors.Add($"{setting}: {Duration(value)} is longer than {InputLimits.MaxTimeout.TotalHours}h, the longest the server can wait");
            }
        }

        if (o.MaxRequestBytes < 1024)
        {
            errors.Add($"MaxRequestBytes: {o.MaxRequestBytes} is below 1024 (a number of bytes, at least 1024; default 4194304, 4 MiB)");
        }

        Retained(errors, "Retention", o.Retention);
        foreach (var (pipeline, rule) in o.Retention.Pipelines)
        {
            Retained(errors, $"Retention:Pipelines:{pipeline}", rule);
        }

        if (o.Retention.DeliveryMaxAge is { } deliveries && deliveries <= TimeSpan.Zero)
        {
            errors.Add($"Retention:DeliveryMaxAge: {Duration(deliveries)} is not positive (a duration such as 720h)");
        }

        if (!string.IsNullOrWhiteSpace(o.Retention.Schedule) && !Retention.PruneSchedule.TryParse(o.Retention.Schedule, out _))
        {
            errors.Add($"Retention:Schedule: '{o.Retention.Schedule}' is not a cron expression (5 fields, e.g. '0 * * * *')");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Positive(List<string> errors, string name, int value)
    {
        if (value < 1)
        {
            errors.Add($"{name}: {value} is below 1 (a whole number, at least 1)");
        }
    }

    /// <summary>A retention rule's counts are not negative and its ages are positive.</summary>
    private static void Retained(List<string> errors, string prefix, RetentionRuleOptions rule)
    {
        foreach (var (name, count) in new[] { (nameof(rule.KeepLast), rule.KeepLast), (nameof(rule.KeepLastFailed), rule.KeepLastFailed) })
        {
            if (count < 0)
            {
                errors.Add($"{prefix}:{name}: {count} is negative (a number of runs, 0 or more)");
            }
        }

        foreach (var (name, age) in new[] { (nameof(rule.MaxAge), rule.MaxAge), (nameof(rule.FailedMaxAge), rule.FailedMaxAge) })
        {
            if (age <= TimeSpan.Zero)
            {
                errors.Add($"{prefix}:{name}: {Duration(age.Value)} is not positive (a duration such as 720h)");
            }
        }
    }

    /// <summary>A duration as the settings take it (Go's form: 15s, 720h).</summary>
    private static string Duration(TimeSpan value) =>
        value < TimeSpan.Zero ? "-" + Model.Validation.GoDuration.Format(-value) : Model.Validation.GoDuration.Format(value);
}
