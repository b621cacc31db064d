using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Mothership.Cli.Commands.Ci;

/// <summary>
/// What <c>mship ci test</c> reads off a working tree with the real <c>git</c>: the repository's
/// <c>org/repo</c> (from <c>origin</c>'s URL), the branch and commit checked out, the base branch,
/// and the files an event would see changed (committed since the base, plus uncommitted ones).
/// </summary>
internal sealed partial record LocalGitState
{
    /// <summary>The working tree's top directory.</summary>
    public required string Root { get; init; }

    /// <summary><c>org/repo</c> from <c>origin</c>'s URL; null without an origin (the caller falls back on the directory's name).</summary>
    public string? OrgRepo { get; init; }

    /// <summary>Where <c>origin</c> is, or the working tree itself without one.</summary>
    public required string CloneUri { get; init; }

    /// <summary>The branch checked out; <c>HEAD</c> when detached.</summary>
    public required string Branch { get; init; }

    /// <summary>The commit checked out.</summary>
    public required string HeadSha { get; init; }

    /// <summary>The last commit's subject (a pull request's title, locally).</summary>
    public string Subject { get; init; } = "";

    /// <summary><c>git config user.name</c>, or <c>local</c>.</summary>
    public string Author { get; init; } = "local";

    /// <summary>Reads <paramref name="directory"/>; null, with the reason as Error, when it is not in a git working tree.</summary>
    public static async Task<(LocalGitState? State, string Error)> ReadAsync(string directory, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(directory))
        {
            return (null, $"directory '{directory}' does not exist");
        }

        var top = await GitAsync(directory, cancellationToken, "rev-parse", "--show-toplevel").ConfigureAwait(false);
        if (top.Code != 0)
        {
            return (null, $"'{directory}' is not in a git working tree: {top.Error.Trim()}");
        }

        var root = top.Output.Trim();
        var head = await GitAsync(root, cancellationToken, "rev-parse", "HEAD").ConfigureAwait(false);
        if (head.Code != 0)
        {
            return (null, $"'{root}' has no commit yet: commit first");
        }

        var origin = await GitAsync(root, cancellationToken, "remote", "get-url", "origin").ConfigureAwait(false);
        var url = origin.Code == 0 ? origin.Output.Trim() : "";
        var branch = await GitAsync(root, cancellationToken, "rev-parse", "--abbrev-ref", "HEAD").ConfigureAwait(false);
        var subject = await GitAsync(root, cancellationToken, "log", "-1", "--format=%s").ConfigureAwait(false);
        var author = await GitAsync(root, cancellationToken, "config", "user.name").ConfigureAwait(false);
        return (new LocalGitState
        {
            Root = root,
            OrgRepo = url.Length == 0 ? null : OrgRepoOf(url),
            CloneUri = url.Length == 0 ? root : url,
            Branch = branch.Output.Trim(),
            HeadSha = head.Output.Trim(),
            Subject = subject.Output.Trim(),
            Author = author.Output.Trim() is { Length: > 0 } name ? name : "local",
        }, "");
    }

    /// <summary>
    /// <c>org/repo</c> of a remote URL: <c>https://github.com/org/repo.git</c>,
    /// <c>git@github.com:org/repo.git</c>, <c>ssh://git@host/org/repo</c>, or a path ending in
    /// <c>org/repo</c>; null when it has fewer than two path segments.
    /// </summary>
    public static string? OrgRepoOf(string url)
    {
        var path = ScpLike().Match(url) is { Success: true } scp ? scp.Groups[1].Value
            : Uri.TryCreate(url, UriKind.Absolute, out var uri) && !uri.IsFile ? uri.AbsolutePath
            : url;
        var parts = path.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2)
        {
            return null;
        }

        var repo = parts[^1].EndsWith(".git", StringComparison.Ordinal) ? parts[^1][..^4] : parts[^1];
        return repo.Length == 0 ? null : parts[^2] + "/" + repo;
    }

    /// <summary>The remote's default branch (<c>origin/HEAD</c>), else <c>main</c>.</summary>
    public async Task<string> DefaultBranchAsync(CancellationToken cancellationToken)
    {
        var remoteHead = await GitAsync(Root, cancellationToken, "symbolic-ref", "--short", "refs/remotes/origin/HEAD").ConfigureAwait(false);
        var name = remoteHead.Output.Trim();
        return remoteHead.Code == 0 && name.StartsWith("origin/", StringComparison.Ordinal) ? name["origin/".Length..] : "main";
    }

    /// <summary>The commit <paramref name="branch"/> names: <c>origin/BRANCH</c> when fetched, else the local branch; null when neither exists.</summary>
    public async Task<(string Ref, string Sha)?> ResolveAsync(string branch, CancellationToken cancellationToken)
    {
        foreach (var candidate in new[] { "origin/" + branch, branch })
        {
            var sha = await GitAsync(Root, cancellationToken, "rev-parse", "--verify", "--quiet", candidate + "^{commit}").ConfigureAwait(false);
            if (sha.Code == 0)
            {
                return (candidate, sha.Output.Trim());
            }
        }

        return null;
    }

    /// <summary>
    /// The files changed since <paramref name="since"/> (<c>git diff --name-only SINCE...HEAD</c>;
    /// nothing committed when null) and the uncommitted ones (staged, unstaged, untracked), sorted.
    /// </summary>
    public async Task<IReadOnlyList<string>> ChangedFilesAsync(string? since, CancellationToken cancellationToken)
    {
        var files = new SortedSet<string>(StringComparer.Ordinal);
        var lists = new List<string[]>
        {
            new[] { "diff", "--name-only", "HEAD" },
            new[] { "ls-files", "--others", "--exclude-standard" },
        };
        if (since is not null)
        {
            lists.Insert(0, new[] { "diff", "--name-only", since + "...HEAD" });
        }

        foreach (var args in lists)
        {
            var list = await GitAsync(Root, cancellationToken, args).ConfigureAwait(false);
            if (list.Code != 0)
            {
                throw new InvalidOperationException($"git {string.Join(' ', args)}: {list.Error.Trim()}");
            }

            files.UnionWith(list.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        return [.. files];
    }

    /// <summary>Whether <paramref name="gitRef"/> names a commit.</summary>
    public async Task<bool> ExistsAsync(string gitRef, CancellationToken cancellationToken) =>
        (await GitAsync(Root, cancellationToken, "rev-parse", "--verify", "--quiet", gitRef + "^{commit}").ConfigureAwait(false)).Code == 0;

    private static async Task<(int Code, string Output, string Error)> GitAsync(string directory, CancellationToken cancellationToken, params string[] args)
    {
        var info = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("core.quotePath=false");
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var git = Process.Start(info) ?? throw new InvalidOperationException("git could not be started");
        var output = git.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = git.StandardError.ReadToEndAsync(cancellationToken);
        await git.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return (git.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
    }

    /// <summary><c>user@host:path</c>, git's scp-like syntax.</summary>
    [GeneratedRegex(@"^[\w.-]+@[\w.-]+:(?!//)(.+)$")]
    private static partial Regex ScpLike();
}
