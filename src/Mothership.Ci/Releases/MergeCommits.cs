using System.Globalization;
using System.Text.RegularExpressions;
using LibGit2Sharp;

namespace Mothership.Ci.Releases;

/// <summary>
/// The pull requests merged between two revisions of a local repository: the commits of
/// <c>git log --first-parent FROM..TO</c>, each read for the number GitHub writes in a merge
/// commit (<c>Merge pull request #N from …</c>) or a squash merge's subject (<c>Title (#N)</c>).
/// </summary>
public static partial class MergeCommits
{
    /// <summary>The pull request a commit message names; null when it names none.</summary>
    public static int? PullRequestOf(string message)
    {
        var subject = (message ?? "").Split('\n', 2)[0].TrimEnd('\r', ' ', '\t');
        var match = MergeSubject().Match(subject);
        if (!match.Success)
        {
            match = SquashSubject().Match(subject);
        }

        return match.Success && int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;
    }

    /// <summary>
    /// The pull requests merged in <paramref name="from"/>..<paramref name="to"/> on the first-parent
    /// line, newest first, each once (its commit's sha with it). Throws
    /// <see cref="ReleaseRangeException"/> when <paramref name="repositoryPath"/> is not a repository or a revision does not resolve.
    /// </summary>
    public static IReadOnlyList<MergedPullRequest> InRange(string repositoryPath, string from, string to)
    {
        ArgumentNullException.ThrowIfNull(repositoryPath);
        var root = Repository.Discover(repositoryPath);
        if (root is null || !Directory.Exists(repositoryPath))
        {
            throw new ReleaseRangeException($"{repositoryPath}: not a git repository");
        }

        using var repository = new Repository(root);
        var since = Resolve(repository, from, "--from");
        var until = Resolve(repository, to, "--to");
        var merged = new List<MergedPullRequest>();
        var seen = new HashSet<int>();
        var filter = new CommitFilter
        {
            IncludeReachableFrom = until,
            ExcludeReachableFrom = since,
            FirstParentOnly = true,
            SortBy = CommitSortStrategies.Topological,
        };
        foreach (var commit in repository.Commits.QueryBy(filter))
        {
            if (PullRequestOf(commit.Message) is { } number && seen.Add(number))
            {
                merged.Add(new MergedPullRequest(number, commit.Sha));
            }
        }

        return merged;
    }

    private static Commit Resolve(Repository repository, string revision, string flag)
    {
        GitObject? found;
        try
        {
            found = string.IsNullOrWhiteSpace(revision) ? null : repository.Lookup(revision);
        }
        catch (LibGit2SharpException)
        {
            found = null;
        }

        return found?.Peel<Commit>() ?? throw new ReleaseRangeException($"{flag}: '{revision}' is not a revision of the repository");
    }

    [GeneratedRegex(@"^Merge pull request #([0-9]+) from \S", RegexOptions.CultureInvariant)]
    private static partial Regex MergeSubject();

    [GeneratedRegex(@"\(#([0-9]+)\)$", RegexOptions.CultureInvariant)]
    private static partial Regex SquashSubject();
}
