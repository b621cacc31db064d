using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Mothership.Server.Access;
using Mothership.Server.Cloud;
using Mothership.Server.Hosting;
using Mothership.Server.Identity;
using Mothership.Testing;

namespace Mothership.Server.Tests.Access;

/// <summary>
/// The site repository as the access policy reads it on every API request, with real git
/// repositories and the clock moved by the test: the first read fetches, later ones never wait for
/// git; a remote that is down is tried once per interval, not once per request; and a server that
/// has never fetched its repository refuses everyone but the bootstrap admin instead of failing open.
/// </summary>
public sealed class PolicyRepositoryTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mship-site-cache-");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
    private readonly CountingLogger<SiteRepositoryCache> _log = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Remote => Path.Combine(_dir.FullName, "sites");

    public void Dispose() => _dir.Delete(recursive: true);

    private (SiteRepositoryCache Cache, ServerAccess Access) Server()
    {
        var options = Options.Create(new ServerOptions { Workdir = Path.Combine(_dir.FullName, "data", "runs"), Cloud = { Repository = Remote } });
        var cache = new SiteRepositoryCache(options, _time, _log);
        return (cache, new ServerAccess(options, cache, new CountingLogger<ServerAccess>()));
    }

    private string Commit(string policy)
    {
        Directory.CreateDirectory(Remote);
        if (!Directory.Exists(Path.Combine(Remote, ".git")))
        {
            GitCommand.Run(Remote, "init", "-q", "-b", "main");
        }

        File.WriteAllText(Path.Combine(Remote, "policy.csv"), policy);
        GitCommand.Run(Remote, "add", "-A");
        GitCommand.Run(Remote, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "policy");
        return GitCommand.Run(Remote, "rev-parse", "HEAD").Trim();
    }

    private static bool Allowed(AccessView view, string name) =>
        ServerAccess.Decide(view, MothershipClaims.Create(name, [], MothershipClaims.SourceToken, admin: false, "test"), "runs", "get", "-/x") is { Allowed: true };

    private static async Task EventuallyAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(50, Ct);
        }

        Assert.True(condition());
    }

    [Fact]
    public async Task RefreshForReaders_FirstCallFetches_LaterOnesFetchInTheBackgroundOncePerInterval()
    {
        var first = Commit("p, alice, runs, get, *, allow\n");
        var (cache, _) = Server();

        await cache.RefreshForReadersAsync(Ct);
        Assert.True(cache.Fetched);
        Assert.Equal(first, cache.Resolve(null));

        // A push within the interval is not fetched: the calls return at once with the cached tip.
        var second = Commit("p, bob, runs, get, *, allow\n");
        for (var i = 0; i < 20; i++)
        {
            await cache.RefreshForReadersAsync(Ct);
        }

        Assert.Equal(first, cache.Resolve(null));

        // Once the interval has passed, a call starts the fetch and still returns without it.
        _time.Advance(SiteRepositoryCache.FetchInterval + TimeSpan.FromSeconds(1));
        await cache.RefreshForReadersAsync(Ct);
        await EventuallyAsync(() => cache.Resolve(null) == second);
    }

    [Fact]
    public async Task RefreshForReaders_RemoteDown_TriedOncePerIntervalNotPerRequest()
    {
        Commit("p, alice, runs, get, *, allow\n");
        var (cache, _) = Server();
        await cache.RefreshForReadersAsync(Ct);
        Directory.Move(Remote, Remote + ".gone");

        _time.Advance(SiteRepositoryCache.FetchInterval + TimeSpan.FromSeconds(1));
        for (var i = 0; i < 50; i++)
        {
            await cache.RefreshForReadersAsync(Ct);
        }

        await EventuallyAsync(() => _log.Count("Fetching the site repository failed") == 1);
        for (var i = 0; i < 50; i++)
        {
            await cache.RefreshForReadersAsync(Ct);
        }

        await Task.Delay(200, Ct);
        Assert.Equal(1, _log.Count("Fetching the site repository failed"));
        Assert.True(cache.Fetched);
        Assert.NotNull(cache.Resolve(null));

        _time.Advance(SiteRepositoryCache.FetchInterval + TimeSpan.FromSeconds(1));
        await cache.RefreshForReadersAsync(Ct);
        await EventuallyAsync(() => _log.Count("Fetching the site repository failed") == 2);
    }

    [Fact]
    public async Task Current_RepositoryNeverFetched_OnlyTheAdminUntilAFetchSucceeds()
    {
        var (cache, access) = Server();

        // The remote does not exist yet: its policy is unknown, so nothing but the admin passes.
        var view = await access.CurrentAsync(Ct);
        Assert.True(view.Enforced);
        Assert.False(Allowed(view, "alice"));
        Assert.True(ServerAccess.Decide(view, MothershipClaims.Create(MothershipClaims.BootstrapName, [], MothershipClaims.SourceBootstrap, admin: true, "test"), "runs", "get", "-/x") is { Allowed: true });
        Assert.Contains("has not been fetched yet", view.RepositoryError, StringComparison.Ordinal);
        Assert.False(cache.Fetched);

        Commit("p, alice, runs, get, *, allow\n");
        _time.Advance(SiteRepositoryCache.FetchInterval + TimeSpan.FromSeconds(1));
        await access.CurrentAsync(Ct);
        await EventuallyAsync(() => cache.Fetched);
        view = await access.CurrentAsync(Ct);
        Assert.True(view.Enforced);
        Assert.Null(view.RepositoryError);
        Assert.True(Allowed(view, "alice"));
        Assert.False(Allowed(view, "bob"));
    }

    [Fact]
    public async Task Current_ManyRequestsAtStart_AllWaitForTheFirstFetch()
    {
        Commit("p, alice, runs, get, *, allow\n");
        var (_, access) = Server();

        var views = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => access.CurrentAsync(Ct), Ct)));

        Assert.All(views, v => Assert.True(Allowed(v, "alice"), v.RepositoryError));
    }

    [Fact]
    public async Task Current_FetchedRepositoryWithoutPolicy_StaysOpen()
    {
        Directory.CreateDirectory(Remote);
        GitCommand.Run(Remote, "init", "-q", "-b", "main");
        File.WriteAllText(Path.Combine(Remote, "README.md"), "sites\n");
        GitCommand.Run(Remote, "add", "-A");
        GitCommand.Run(Remote, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "no policy");
        var (_, access) = Server();

        var view = await access.CurrentAsync(Ct);
        Assert.False(view.Enforced);
    }

    private sealed class CountingLogger<T> : ILogger<T>
    {
        private readonly List<string> _lines = [];

        public int Count(string text)
        {
            lock (_lines)
            {
                return _lines.Count(l => l.Contains(text, StringComparison.Ordinal));
            }
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lines)
            {
                _lines.Add(formatter(state, exception));
            }
        }
    }
}
