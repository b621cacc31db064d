using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Gh = Octokit;

namespace Mothership.Ci.Forge;

/// <summary>
/// A GitHub App's installations and their access tokens: which installation serves a repository
/// (<c>GET /repos/OWNER/REPO/installation</c>) or an organisation (<c>GET /orgs/ORG/installation</c>),
/// looked up once and kept; and each installation's token (<c>POST /app/installations/ID/access_tokens</c>),
/// kept until <see cref="RefreshBefore"/> its <c>expires_at</c> on the given <see cref="TimeProvider"/>,
/// then minted anew. Those requests are signed with a fresh JWT (<see cref="GitHubAppJwt"/>).
/// </summary>
public sealed partial class GitHubAppTokens
{
    /// <summary>How long before a token expires it is replaced: 5 minutes, so no request carries a token that dies on the way.</summary>
    public static readonly TimeSpan RefreshBefore = TimeSpan.FromMinutes(5);

    private readonly GitHubAppCredentials _app;
    private readonly Gh.IGitHubClient _client;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, long> _installations = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<long, Gh.AccessToken> _tokens = new();
    private readonly SemaphoreSlim _minting = new(1, 1);

    /// <summary>Tokens of <paramref name="app"/>'s installations on the GitHub at <see cref="GitHubForgeOptions.ApiUrl"/>.</summary>
    public GitHubAppTokens(GitHubForgeOptions options, GitHubAppCredentials app, TimeProvider? time = null, ILogger<GitHubAppTokens>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(app);
        options.Validate();
        _app = app;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _client = new Gh.GitHubClient(new Gh.ProductHeaderValue(options.UserAgent), new JwtCredentialStore(this), options.ApiUrl);
    }

    /// <summary>The id of the installation that serves <paramref name="repository"/>.</summary>
    /// <exception cref="InvalidOperationException">The app is not installed there.</exception>
    public Task<long> InstallationForRepositoryAsync(RepositoryName repository, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return InstallationAsync(
            "repo:" + repository, $"repository {repository}",
            () => _client.GitHubApps.GetRepositoryInstallationForCurrent(repository.Owner, repository.Name), cancellationToken);
    }

    /// <summary>The id of the installation on organisation <paramref name="org"/>.</summary>
    /// <exception cref="InvalidOperationException">The app is not installed there.</exception>
    public Task<long> InstallationForOrganizationAsync(string org, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(org);
        return InstallationAsync("org:" + org, $"organisation {org}", () => _client.GitHubApps.GetOrganizationInstallationForCurrent(org), cancellationToken);
    }

    /// <summary>A token of installation <paramref name="installationId"/> that is good for at least <see cref="RefreshBefore"/>.</summary>
    public async Task<string> TokenAsync(long installationId, CancellationToken cancellationToken = default)
    {
        if (Fresh(installationId) is { } token)
        {
            return token;
        }

        await _minting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another caller may have minted it while this one waited.
            if (Fresh(installationId) is { } minted)
            {
                return minted;
            }

            var created = await _client.GitHubApps.CreateInstallationToken(installationId).ConfigureAwait(false);
            _tokens[installationId] = created;
            LogMinted(_logger, installationId, created.ExpiresAt);
            return created.Token;
        }
        finally
        {
            _minting.Release();
        }
    }

    private string? Fresh(long installationId) =>
        _tokens.TryGetValue(installationId, out var token) && token.ExpiresAt - RefreshBefore > _time.GetUtcNow() ? token.Token : null;

    private async Task<long> InstallationAsync(string key, string what, Func<Task<Gh.Installation>> lookup, CancellationToken cancellationToken)
    {
        if (_installations.TryGetValue(key, out var id))
        {
            return id;
        }

        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            id = (await lookup().ConfigureAwait(false)).Id;
        }
        catch (Gh.NotFoundException e)
        {
            throw new InvalidOperationException($"GitHub App {_app.AppId} is not installed on {what}: install it there (GitHub answered 404)", e);
        }

        return _installations[key] = id;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Minted a token for GitHub App installation {Installation}, valid until {ExpiresAt}")]
    private static partial void LogMinted(ILogger logger, long installation, DateTimeOffset expiresAt);

    /// <summary>The app's own credentials for Octokit: a new JWT for every request, so none outlives its ten minutes.</summary>
    private sealed class JwtCredentialStore(GitHubAppTokens tokens) : Gh.ICredentialStore
    {
        public Task<Gh.Credentials> GetCredentials() =>
            Task.FromResult(new Gh.Credentials(tokens._app.CreateJwt(tokens._time.GetUtcNow()), Gh.AuthenticationType.Bearer));
    }

    /// <summary>An installation's credentials for Octokit: its current token, renewed when it nears its end.</summary>
    internal sealed class InstallationCredentialStore(GitHubAppTokens tokens, long installationId) : Gh.ICredentialStore
    {
        public async Task<Gh.Credentials> GetCredentials() =>
            new(await tokens.TokenAsync(installationId).ConfigureAwait(false));
    }
}
