using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mothership.Testing.GitHub;

/// <summary>
/// GitHub's REST API v3 for tests: real HTTP on a loopback port, answering with the shapes,
/// status codes and headers recorded from api.github.com in <c>fixtures/github-api</c>
/// (<c>X-RateLimit-*</c> on every answer, <c>Link</c> pagination, <c>Location</c> on 201,
/// <c>{"message", "documentation_url"}</c> errors). It serves what a CI bot uses: commit
/// statuses and combined status, repository and issue labels, issues, issue comments, pull
/// requests with their files and reviews (and, for a promotion bot, pull requests opened and edited, files committed through
/// <c>PUT contents</c>, tags and releases), contents by ref (JSON or raw), branch and tag refs (<c>git/refs</c>), collaborators, organisation
/// membership (with GitHub's 302 to public membership), webhook deliveries with cursor
/// pagination and redelivery, and check runs; with <see cref="FakeGitHubOptions.App"/>, a GitHub
/// App's installation lookups and installation tokens (<see cref="FakeGitHubApp"/>). Paths are served both as on github.com and under GitHub
/// Enterprise's <c>/api/v3</c> prefix, which Octokit adds for any host but api.github.com.
/// </summary>
/// <remarks>
/// Every GET answered 200 carries an <c>ETag</c> (weak, of its body, as GitHub's), and a request
/// whose <c>If-None-Match</c> names it is answered 304 without spending quota.
/// Seed state through <see cref="AddRepository"/> and <see cref="Organization"/>; look at what
/// happened through <see cref="Requests"/> and the repositories' snapshots; break it through
/// <see cref="Faults"/>. Not modelled: git data beyond one file per commit (trees, annotated tags, merges of content),
/// permissions (every token may do everything), search, GraphQL, <c>If-Modified-Since</c>.
/// </remarks>
/// <example>
/// <code>
/// await using var github = await FakeGitHub.StartAsync();
/// var repo = github.AddRepository("org", "repo");
/// var pr = repo.AddPullRequest("alice", headSha: "abc123...");
/// var client = new GitHubClient(new ProductHeaderValue("test"), github.BaseUri);
/// </code>
/// </example>
public sealed class FakeGitHub : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests;
    private readonly ConcurrentQueue<Exception> _errors;
    private readonly Dictionary<string, FakeRepository> _repositories = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, FakeOrganization> _organizations = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, long> _userIds = new(StringComparer.OrdinalIgnoreCase);
    private long _nextId = 1000;
    private int _disposed;

    private FakeGitHub(WebApplication app, FakeGitHubOptions options, FakeGitHubFaults faults, ConcurrentQueue<RecordedRequest> requests, ConcurrentQueue<Exception> errors)
    {
        _app = app;
        _requests = requests;
        _errors = errors;
        Options = options;
        Faults = faults;
        RateLimitRemaining = options.RateLimit;
        RateLimitReset = options.Time.GetUtcNow().AddHours(1);
    }

    /// <summary>The server's address, <c>http://127.0.0.1:PORT/</c>: what Octokit takes as its base address.</summary>
    public Uri BaseUri { get; private set; } = new("http://127.0.0.1/");

    /// <summary>The REST root as GitHub Enterprise serves it, <c>http://127.0.0.1:PORT/api/v3/</c>.</summary>
    public Uri ApiUri => new(BaseUri, "api/v3/");

    public FakeGitHubOptions Options { get; }

    /// <summary>Fault injection: rate limits and server errors on chosen paths.</summary>
    public FakeGitHubFaults Faults { get; }

    /// <summary>Every request received so far, in order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>Exceptions the fake did not expect (its own bugs, answered 500). A test may assert this is empty.</summary>
    public IReadOnlyList<Exception> Errors => [.. _errors];

    /// <summary>
    /// The quota left in the current window (<c>X-RateLimit-Remaining</c>); each request spends
    /// one. A test may set it.
    /// </summary>
    public int RateLimitRemaining { get; set; }

    /// <summary>
    /// GET requests answered 304 Not Modified: their <c>If-None-Match</c> named the current
    /// <c>ETag</c> of what they ask for. GitHub does not count those against the quota; neither does this.
    /// </summary>
    public int NotModified => Volatile.Read(ref _notModified);

    private int _notModified;

    internal void CountNotModified() => Interlocked.Increment(ref _notModified);

    /// <summary>When the current rate-limit window resets (<c>X-RateLimit-Reset</c>). A test may set it.</summary>
    public DateTimeOffset RateLimitReset { get; set; }

    internal Lock Gate { get; } = new();

    internal DateTimeOffset Now => Options.Time.GetUtcNow();

    /// <summary>Starts the server on a free loopback port.</summary>
    public static async Task<FakeGitHub> StartAsync(FakeGitHubOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new FakeGitHubOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.RateLimit, nameof(options.RateLimit));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();

        // Port 0: the kernel picks a free port at bind time, so two fakes (or another test) cannot race for it.
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var requests = new ConcurrentQueue<RecordedRequest>();
        var errors = new ConcurrentQueue<Exception>();
        var github = new FakeGitHub(app, options, new FakeGitHubFaults(), requests, errors);
        var handler = new GitHubHandler(github, requests, errors);
        app.Run(handler.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        github.BaseUri = new Uri($"http://127.0.0.1:{new Uri(address).Port}/");
        return github;
    }

    /// <summary>Creates a repository (with the id GitHub would give it, when a recording needs one).</summary>
    public FakeRepository AddRepository(string owner, string name, long? id = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentException.ThrowIfNullOrEmpty(name);
        lock (Gate)
        {
            var repo = new FakeRepository(this, id ?? NextId(), owner, name);
            if (!_repositories.TryAdd(repo.FullName, repo))
            {
                throw new ArgumentException($"repository {repo.FullName} exists", nameof(name));
            }

            return repo;
        }
    }

    /// <summary>A repository; null when there is none.</summary>
    public FakeRepository? Repository(string owner, string name)
    {
        lock (Gate)
        {
            return _repositories.GetValueOrDefault(owner + "/" + name);
        }
    }

    /// <summary>An organisation, created on first use.</summary>
    public FakeOrganization Organization(string login)
    {
        ArgumentException.ThrowIfNullOrEmpty(login);
        lock (Gate)
        {
            if (!_organizations.TryGetValue(login, out var org))
            {
                _organizations[login] = org = new FakeOrganization(this, login);
            }

            return org;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    internal long NextId() => Interlocked.Increment(ref _nextId);

    /// <summary>A repository by its id (<c>/repositories/ID/…</c>, where GitHub's Link headers point). Call under the gate.</summary>
    internal FakeRepository? RepositoryById(long id) => _repositories.Values.FirstOrDefault(r => r.Id == id);

    /// <summary>An organisation if one was made; call under the gate.</summary>
    internal FakeOrganization? FindOrganization(string login) => _organizations.GetValueOrDefault(login);

    /// <summary>A stable id for a login. Call under the gate.</summary>
    internal long UserId(string login)
    {
        if (!_userIds.TryGetValue(login, out var id))
        {
            _userIds[login] = id = NextId();
        }

        return id;
    }
}
