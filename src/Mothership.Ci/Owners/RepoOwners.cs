using System.Collections.Immutable;

namespace Mothership.Ci.Owners;

/// <summary>
/// The OWNERS files of a repository at one commit, as Prow's <c>repoowners.RepoOwners</c> reads
/// them: for a file, its owners are those of its directory's OWNERS and of every parent's up to
/// the root, stopping after a directory whose OWNERS says <c>no_parent_owners</c>; a file's
/// <c>filters</c> apply to the files whose path relative to its directory matches. Logins are
/// lower case with aliases expanded. Only the directories given need be loaded: a directory
/// missing here has no OWNERS file.
/// </summary>
public sealed class RepoOwners
{
    private readonly ImmutableDictionary<string, OwnersFile> _files;
    private readonly ImmutableDictionary<string, ImmutableArray<(OwnersFilter Filter, ImmutableHashSet<string> Logins)>> _approvers;
    private readonly ImmutableDictionary<string, ImmutableArray<(OwnersFilter Filter, ImmutableHashSet<string> Logins)>> _reviewers;
    private readonly ImmutableDictionary<string, ImmutableArray<(OwnersFilter Filter, ImmutableHashSet<string> Logins)>> _requiredReviewers;

    /// <summary>The owners of a repository from its OWNERS files and its aliases.</summary>
    public RepoOwners(IEnumerable<OwnersFile> files, OwnersAliases? aliases = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        aliases ??= OwnersAliases.None;
        _files = files.ToImmutableDictionary(f => f.Directory, StringComparer.Ordinal);
        Aliases = aliases;
        _approvers = People(c => c.Approvers);
        _reviewers = People(c => c.Reviewers);
        _requiredReviewers = People(c => c.RequiredReviewers);

        ImmutableDictionary<string, ImmutableArray<(OwnersFilter, ImmutableHashSet<string>)>> People(Func<OwnersConfig, ImmutableArray<string>> pick) =>
            _files.Values.ToImmutableDictionary(
                f => f.Directory,
                f => f.Filters
                    .Where(x => !pick(x.Config).IsEmpty)
                    .Select(x => (x, aliases.Expand(pick(x.Config).Select(NormalizeLogin))))
                    .ToImmutableArray(),
                StringComparer.Ordinal);
    }

    /// <summary>The aliases the OWNERS files were expanded with.</summary>
    public OwnersAliases Aliases { get; }

    /// <summary>The OWNERS files, by directory.</summary>
    public IReadOnlyDictionary<string, OwnersFile> Files => _files;

    /// <summary>A login as Prow compares it: lower case, without a leading <c>@</c> (Prow's <c>github.NormLogin</c>).</summary>
    public static string NormalizeLogin(string login)
    {
        ArgumentNullException.ThrowIfNull(login);
        var lower = login.ToLowerInvariant();
        return lower.StartsWith('@') ? lower[1..] : lower;
    }

    /// <summary>Who may approve <paramref name="path"/>: its directory's approvers and every parent's up to the root or a <c>no_parent_owners</c>.</summary>
    public ImmutableHashSet<string> Approvers(string path) => Entries(path, _approvers, leafOnly: false);

    /// <summary>The approvers of the nearest OWNERS that has approvers for <paramref name="path"/> (Prow's <c>LeafApprovers</c>).</summary>
    public ImmutableHashSet<string> LeafApprovers(string path) => Entries(path, _approvers, leafOnly: true);

    /// <summary>Who may review <paramref name="path"/>.</summary>
    public ImmutableHashSet<string> Reviewers(string path) => Entries(path, _reviewers, leafOnly: false);

    /// <summary>Who must review <paramref name="path"/>.</summary>
    public ImmutableHashSet<string> RequiredReviewers(string path) => Entries(path, _requiredReviewers, leafOnly: false);

    /// <summary>
    /// The directory of the OWNERS file that holds the nearest approvers of <paramref name="path"/>;
    /// empty (the root) when none does (Prow's <c>FindApproverOwnersForFile</c>).
    /// </summary>
    public string FindApproverOwnersForFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        for (var d = Canonical(path); d.Length > 0; d = Dir(d))
        {
            var relative = Relative(d, path);
            if (_approvers.TryGetValue(d, out var entries) && entries.Any(e => e.Filter.Matches(relative) && !e.Logins.IsEmpty))
            {
                return d;
            }
        }

        return "";
    }

    /// <summary>Whether <paramref name="directory"/>'s OWNERS says <c>no_parent_owners</c>.</summary>
    public bool IsNoParentOwners(string directory) => _files.TryGetValue(directory, out var f) && f.NoParentOwners;

    /// <summary>Whether <paramref name="directory"/>'s OWNERS says <c>auto_approve_unowned_subfolders</c>.</summary>
    public bool IsAutoApproveUnownedSubfolders(string directory) => _files.TryGetValue(directory, out var f) && f.AutoApproveUnownedSubfolders;

    /// <summary>The directory of a path: <c>a/b</c> for <c>a/b/c</c>, empty (the root) for <c>c</c>.</summary>
    public static string Dir(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var slash = path.LastIndexOf('/');
        return slash < 0 ? "" : path[..slash];
    }

    /// <summary>
    /// Prow's <c>entriesForFile</c>: from the path itself up to the root, the logins of each
    /// directory's filters that match, stopping at the first layer found for leaves only, or
    /// after a <c>no_parent_owners</c> directory that gave some.
    /// </summary>
    private ImmutableHashSet<string> Entries(
        string path, ImmutableDictionary<string, ImmutableArray<(OwnersFilter Filter, ImmutableHashSet<string> Logins)>> people, bool leafOnly)
    {
        ArgumentNullException.ThrowIfNull(path);
        var found = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
        var d = Canonical(path);
        while (true)
        {
            var relative = Relative(d, path);
            if (people.TryGetValue(d, out var entries))
            {
                foreach (var (_, logins) in entries.Where(e => e.Filter.Matches(relative)))
                {
                    found.UnionWith(logins);
                }
            }

            if ((leafOnly && found.Count > 0) || d.Length == 0 || (IsNoParentOwners(d) && found.Count > 0))
            {
                return found.ToImmutable();
            }

            d = Dir(d);
        }
    }

    private static string Canonical(string path) => path.Trim('/') is "." ? "" : path.Trim('/');

    /// <summary>Go's <c>filepath.Rel(dir, path)</c> for a directory that contains the path.</summary>
    private static string Relative(string dir, string path)
    {
        path = Canonical(path);
        return dir.Length == 0 ? path : dir == path ? "." : path[(dir.Length + 1)..];
    }
}
