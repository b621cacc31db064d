using System.Text;
using LibGit2Sharp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mothership.Cloud.Sources;
using Mothership.Server.Hosting;

namespace Mothership.Server.Cloud;

/// <summary>
/// The server's one copy of the site repository (<see cref="CloudOptions.Repository"/>): a bare
/// repository under the data directory (<c>DATA/cloud/repository.git</c>), fetched on demand and
/// at most every <see cref="FetchInterval"/>; revisions are read from its objects
/// (<see cref="GitRevisionFiles"/>), never checked out per request. An https repository's token
/// goes in an Authorization header, never in the URL, the config or a log.
/// </summary>
internal sealed partial class SiteRepositoryCache(IOptions<ServerOptions> options, TimeProvider time, ILogger<SiteRepositoryCache> logger)
{
    /// <summary>Requests within this long of a fetch read what it fetched.</summary>
    public static readonly TimeSpan FetchInterval = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _gate = new(1, 1);
    /// <summary>UTC ticks of the last fetch that succeeded, of the last one begun (0: none in this process), and whether one runs in the background.</summary>
    private long _fetchedTicks, _triedTicks;
    private int _inBackground;
    /// <summary>Whether a fetch attempt has ended in this process (readers wait for the first one; <see cref="RefreshForReadersAsync"/>).</summary>
    private bool _attempted;

    /// <summary>Whether a site repository is configured.</summary>
    public bool Configured => !string.IsNullOrEmpty(options.Value.Cloud.Repository);

    /// <summary>Whether this process has fetched the repository (false: what the cache holds, if anything, is from an earlier process or nothing).</summary>
    public bool Fetched => Volatile.Read(ref _fetchedTicks) != 0;

    /// <summary>The server's data directory: the parent of its runs' work directory.</summary>
    public string DataDirectory => Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.Value.Workdir)))!;

    /// <summary>The bare cache.</summary>
    public string GitDirectory => Path.Combine(DataDirectory, "cloud", "repository.git");

    /// <summary>A URL git fetches from, as opposed to a folder on this machine.</summary>
    public static bool IsRemote(string repository) =>
        repository.Contains("://", StringComparison.Ordinal) || (repository.Contains('@', StringComparison.Ordinal) && repository.Contains(':', StringComparison.Ordinal));

    /// <summary>
    /// Fetches the repository into the cache unless that was done within <see cref="FetchInterval"/>
    /// (<paramref name="force"/>: a revision asked for is not in the cache yet, so fetch anyway).
    /// </summary>
    public async Task RefreshAsync(CancellationToken cancellationToken, bool force = false)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!force && Fetched && time.GetUtcNow().UtcTicks - _fetchedTicks < FetchInterval.Ticks)
            {
                return;
            }

            await FetchNowAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// For readers that may act on the cached tip (the access policy, on every API request): the
    /// first call in this process fetches and is waited for, so a server just started acts on no
    /// older tip than its remote's; every later call returns at once and starts a fetch in the
    /// background when the last attempt is older than <see cref="FetchInterval"/>. So no request
    /// waits for git, nor queues behind a fetch of a remote that is down (tried again, and logged,
    /// once per interval instead of once per request).
    /// </summary>
    /// <exception cref="SiteSourceException">The first fetch failed (the cache keeps what it held).</exception>
    public async Task RefreshForReadersAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _attempted))
        {
            RefreshInBackground();
            return;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Requests that waited here behind the first fetch read what it left, fetched or not.
            if (!_attempted)
            {
                await FetchNowAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private void RefreshInBackground()
    {
        var now = time.GetUtcNow().UtcTicks;
        if (now - Volatile.Read(ref _triedTicks) < FetchInterval.Ticks || Interlocked.Exchange(ref _inBackground, 1) == 1)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await RefreshAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (SiteSourceException)
            {
                // Fetch logged why; the cached tip stays in force until a fetch succeeds.
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.FetchFailed(logger, e.Message);
            }
            finally
            {
                Volatile.Write(ref _inBackground, 0);
            }
        });
    }

    /// <summary>Fetches now (the gate held).</summary>
    private async Task FetchNowAsync(CancellationToken cancellationToken)
    {
        Volatile.Write(ref _triedTicks, time.GetUtcNow().UtcTicks);
        try
        {
            await Task.Run(Fetch, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _fetchedTicks, time.GetUtcNow().UtcTicks);
        }
        finally
        {
            Volatile.Write(ref _attempted, true);
        }
    }

    private void Fetch()
    {
        var cloud = options.Value.Cloud;
        var url = IsRemote(cloud.Repository!) ? cloud.Repository! : Path.GetFullPath(cloud.Repository!);
        if (!Repository.IsValid(GitDirectory))
        {
            Directory.CreateDirectory(GitDirectory);
            Repository.Init(GitDirectory, isBare: true);
        }

        using var repository = new Repository(GitDirectory);
        if (repository.Network.Remotes["origin"] is null)
        {
            repository.Network.Remotes.Add("origin", url);
        }
        else if (repository.Network.Remotes["origin"].Url != url)
        {
            repository.Network.Remotes.Update("origin", r => r.Url = url);
        }

        var token = cloud.ReadToken();
        var fetch = new FetchOptions { Prune = true, TagFetchMode = TagFetchMode.All };
        if (token is not null)
        {
            // Basic with the token as password: what GitHub, GitLab and Gitea take from a bot.
            fetch.CustomHeaders = [$"Authorization: Basic {Convert.ToBase64String(Encoding.UTF8.GetBytes("x-access-token:" + token))}"];
        }

        try
        {
            Commands.Fetch(repository, "origin", ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"], fetch, null);
            var origin = repository.Network.Remotes["origin"];
            var head = (token is null ? repository.Network.ListReferences(origin)
                    : repository.Network.ListReferences(origin, (_, _, _) => new UsernamePasswordCredentials { Username = "x-access-token", Password = token }))
                .OfType<SymbolicReference>().FirstOrDefault(r => r.CanonicalName == "HEAD")?.TargetIdentifier;
            if (head is not null && repository.Refs[head] is not null)
            {
                repository.Refs.UpdateTarget(repository.Refs.Head, head);
            }
        }
        catch (LibGit2SharpException e)
        {
            // libgit2's message names the URL as configured (no token there) and what failed.
            Log.FetchFailed(logger, e.Message);
            throw new SiteSourceException($"the site repository could not be fetched: {e.Message}");
        }
    }

    /// <summary>The full commit id of <paramref name="revision"/> (default: the tip of the default branch); null when there is no such commit.</summary>
    public string? Resolve(string? revision)
    {
        if (!Repository.IsValid(GitDirectory))
        {
            return null;
        }

        using var repository = new Repository(GitDirectory);
        try
        {
            return revision is null ? repository.Head.Tip?.Sha : repository.Lookup(revision)?.Peel<Commit>()?.Sha;
        }
        catch (LibGit2SharpException)
        {
            return null;
        }
    }

    /// <summary>The files of one commit of the cache.</summary>
    public GitRevisionFiles Open(string commit) => GitRevisionFiles.Open(GitDirectory, commit);

    /// <summary>Writes the tree of <paramref name="commit"/> into <paramref name="directory"/> (charts given by path are read from there).</summary>
    public void Materialize(string commit, string directory)
    {
        using var repository = new Repository(GitDirectory);
        Write(repository.Lookup<Commit>(commit).Tree, directory);
    }

    private static void Write(Tree tree, string directory)
    {
        Directory.CreateDirectory(directory);
        foreach (var entry in tree)
        {
            var path = Path.Combine(directory, entry.Name);
            switch (entry.Target)
            {
                case Tree sub:
                    Write(sub, path);
                    break;
                case Blob blob when entry.Mode != Mode.SymbolicLink:
                    using (var content = blob.GetContentStream())
                    using (var file = File.Create(path))
                    {
                        content.CopyTo(file);
                    }

                    break;
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning, Message = "Fetching the site repository failed: {Error}")]
        public static partial void FetchFailed(ILogger logger, string error);
    }
}
