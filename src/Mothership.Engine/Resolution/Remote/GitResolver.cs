using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Mothership.Model.Resolution;

namespace Mothership.Engine.Resolution.Remote;

/// <summary>
/// Tekton's git resolver with the <c>git</c> command: <c>url</c> (anonymous clone) or
/// <c>scmType</c>/<c>serverURL</c>/<c>org</c>/<c>repo</c> with a token Secret (API mode, served
/// here by the same fetch with the token as git credentials). One bare repository per URL under
/// the cache directory holds the fetched commits, so a file is read by commit: a full commit id
/// already fetched needs no network; a branch or tag is asked of the remote each time. git's own
/// configuration applies, <c>url.BASE.insteadOf</c> included (how an operator mirrors).
/// </summary>
public sealed partial class GitResolver(RemoteResolverOptions options) : IRemoteResolver
{
    private static readonly SemaphoreSlim Lock = new(1, 1);

    public string Name => ResolverParams.Git;

    public async Task<ResolvedDocument> ResolveAsync(ResolutionRequest request, IResolutionSecrets secrets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(secrets);
        var url = request.Param("url") ?? ApiUrl(request);
        var revision = request.Param("revision") ?? "main";
        var path = (request.Param("pathInRepo") ?? "").TrimStart('/');
        if (url.StartsWith('-') || revision.StartsWith('-'))
        {
            throw new RemoteResolutionException("a url or revision may not start with '-'");
        }

        var token = await TokenAsync(request, secrets, cancellationToken).ConfigureAwait(false);
        var repository = Path.Combine(options.CacheDirectory, "git", RemoteInliner.Digest(url)[..32] + ".git");

        // One fetch at a time: two runs fetching into one bare repository would fight over its lock files.
        await Lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!Directory.Exists(repository))
            {
                Directory.CreateDirectory(repository);
                await GitAsync(repository, token, cancellationToken, "init", "--bare", "--quiet").ConfigureAwait(false);
            }

            var commit = await CommitAsync(repository, url, revision, token, cancellationToken).ConfigureAwait(false);
            var (code, text, _) = await GitAsync(repository, null, cancellationToken, "show", $"{commit}:{path}").ConfigureAwait(false);
            if (code != 0)
            {
                throw new RemoteResolutionException($"no file '{path}' at commit {commit}");
            }

            return new ResolvedDocument($"git:{url}@{commit}:{path}", text);
        }
        finally
        {
            Lock.Release();
        }
    }

    /// <summary>The commit <paramref name="revision"/> names, fetched into the cache when it is not there yet.</summary>
    private static async Task<string> CommitAsync(string repository, string url, string revision, string? token, CancellationToken cancellationToken)
    {
        if (FullCommit().IsMatch(revision) && await HasCommitAsync(repository, revision, cancellationToken).ConfigureAwait(false))
        {
            return revision;
        }

        if (!FullCommit().IsMatch(revision))
        {
            var (code, output, error) = await GitAsync(repository, token, cancellationToken, "ls-remote", url, revision).ConfigureAwait(false);
            if (code != 0)
            {
                throw new RemoteResolutionException($"git ls-remote failed: {FirstLine(error)}");
            }

            // ls-remote matches the pattern's tail: prefer the branch, then the tag (peeled), then any.
            var refs = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).Where(p => p.Length == 2).ToList();
            var line = refs.FirstOrDefault(p => p[1] == $"refs/heads/{revision}") ?? refs.FirstOrDefault(p => p[1] == $"refs/tags/{revision}^{{}}")
                ?? refs.FirstOrDefault(p => p[1] == $"refs/tags/{revision}") ?? refs.FirstOrDefault()
                ?? throw new RemoteResolutionException($"no branch or tag '{revision}' in {url}");
            var commit = line[0];
            if (await HasCommitAsync(repository, commit, cancellationToken).ConfigureAwait(false))
            {
                return commit;
            }

            revision = commit;
        }

        // Fetching one commit by id works on servers that allow it (protocol v2, GitHub, GitLab);
        // otherwise every branch and tag is fetched and the commit looked for among them.
        var (fetched, _, _) = await GitAsync(repository, token, cancellationToken, "fetch", "--quiet", "--depth=1", url, revision).ConfigureAwait(false);
        if (fetched != 0)
        {
            var (all, _, error) = await GitAsync(repository, token, cancellationToken, "fetch", "--quiet", url, "+refs/heads/*:refs/remotes/cache/*", "+refs/tags/*:refs/tags/*").ConfigureAwait(false);
            if (all != 0)
            {
                throw new RemoteResolutionException($"git fetch failed: {FirstLine(error)}");
            }
        }

        return await HasCommitAsync(repository, revision, cancellationToken).ConfigureAwait(false)
            ? revision
            : throw new RemoteResolutionException($"no commit '{revision}' in {url}");
    }

    private static async Task<bool> HasCommitAsync(string repository, string commit, CancellationToken cancellationToken) =>
        (await GitAsync(repository, null, cancellationToken, "cat-file", "-e", $"{commit}^{{commit}}").ConfigureAwait(false)).Code == 0;

    /// <summary>API mode's repository: <c>serverURL/org/repo.git</c>, serverURL defaulting to the scmType's public host.</summary>
    private static string ApiUrl(ResolutionRequest request)
    {
        var server = request.Param("serverURL") ?? (request.Param("scmType") ?? "github") switch
        {
            "gitlab" => "https://gitlab.com",
            "bitbucket" or "bitbucketcloud" => "https://bitbucket.org",
            "gitea" => throw new RemoteResolutionException("scmType 'gitea' needs param 'serverURL'"),
            _ => "https://github.com",
        };
        return $"{server.TrimEnd('/')}/{request.Param("org")}/{request.Param("repo")}.git";
    }

    /// <summary>The token the ref names (<c>token</c>/<c>tokenKey</c>, or <c>gitToken</c>/<c>gitTokenKey</c>), read from its Secret; null for an anonymous clone.</summary>
    private static async Task<string?> TokenAsync(ResolutionRequest request, IResolutionSecrets secrets, CancellationToken cancellationToken)
    {
        var (secretParam, keyParam) = request.Param("token") is not null ? ("token", "tokenKey") : ("gitToken", "gitTokenKey");
        if (request.Param(secretParam) is not { } name)
        {
            return null;
        }

        var key = request.Param(keyParam) ?? "token";
        var secret = await secrets.FindAsync(name, cancellationToken).ConfigureAwait(false)
            ?? throw new RemoteResolutionException($"Secret '{name}' (param '{secretParam}') is not defined");
        return secret.Data.GetValueOrDefault(key)?.Trim()
            ?? throw new RemoteResolutionException($"Secret '{name}' has no key '{key}' (param '{keyParam}')");
    }

    /// <summary>
    /// Runs git in <paramref name="repository"/>, never prompting. A token goes to git as an HTTP
    /// header through <c>GIT_CONFIG_*</c> variables added after those already set (so a caller's
    /// own configuration, insteadOf rules included, stays), never on the command line.
    /// </summary>
    private static async Task<(int Code, string Output, string Error)> GitAsync(string repository, string? token, CancellationToken cancellationToken, params string[] args)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("--git-dir");
        start.ArgumentList.Add(repository);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        start.Environment["GIT_ASKPASS"] = "true";
        if (token is not null)
        {
            var count = int.TryParse(Environment.GetEnvironmentVariable("GIT_CONFIG_COUNT"), out var c) ? c : 0;
            start.Environment[$"GIT_CONFIG_KEY_{count}"] = "http.extraHeader";
            start.Environment[$"GIT_CONFIG_VALUE_{count}"] = "Authorization: Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"x-access-token:{token}"));
            start.Environment["GIT_CONFIG_COUNT"] = (count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        using var process = Process.Start(start) ?? throw new IOException("cannot start git");
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            return (process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
    }

    private static string FirstLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "(no message)";

    [GeneratedRegex("^[0-9a-f]{40}([0-9a-f]{24})?$")]
    private static partial Regex FullCommit();
}
