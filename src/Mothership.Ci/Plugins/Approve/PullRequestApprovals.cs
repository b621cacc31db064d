using System.Collections.Immutable;
using Mothership.Ci.Owners;

namespace Mothership.Ci.Plugins.Approve;

/// <summary>
/// Who approved a pull request and which OWNERS files that covers (Prow's <c>approvers.Owners</c>
/// and <c>approvers.Approvers</c>, rule for rule). A changed file is approved when one of its
/// approvers (its directory's and every parent's up to a <c>no_parent_owners</c>) approved;
/// the files are grouped by the OWNERS file of their nearest approvers, a directory whose parent
/// is also needed folding into it. Anyone's <c>/approve</c> is recorded, and counts only for the
/// files its author may approve. Logins compare case-insensitively.
/// </summary>
public sealed class PullRequestApprovals
{
    private readonly RepoOwners _repo;
    private readonly ImmutableArray<string> _allFiles;
    private readonly ImmutableArray<string> _files;
    private readonly int _seed;
    private readonly ImmutableSortedSet<string> _ownersSet;
    private readonly Dictionary<string, Approval> _approvals = new(StringComparer.Ordinal);
    private readonly HashSet<string> _assignees = new(StringComparer.Ordinal);
    private ImmutableDictionary<string, ImmutableHashSet<string>>? _approversMap;
    private ImmutableDictionary<string, ImmutableHashSet<string>>? _leafApproversMap;

    /// <summary>No approval yet of the change of <paramref name="files"/>; <paramref name="seed"/> (Prow: the pull request's number) orders suggestions.</summary>
    public PullRequestApprovals(RepoOwners repo, IEnumerable<string> files, int seed)
    {
        ArgumentNullException.ThrowIfNull(repo);
        ArgumentNullException.ThrowIfNull(files);
        _repo = repo;
        _allFiles = [.. files];
        _seed = seed;

        // A file under a directory whose OWNERS auto-approves unowned subfolders needs no approval
        // when its own directory has no approvers (Prow's GetOwnersSet).
        _files = [.. _allFiles.Where(f =>
        {
            var owners = repo.FindApproverOwnersForFile(f);
            return !(repo.IsAutoApproveUnownedSubfolders(owners) && RepoOwners.Dir(f) != owners);
        })];
        var set = new SortedSet<string>(_files.Select(repo.FindApproverOwnersForFile), StringComparer.Ordinal);
        RemoveSubdirectories(set);
        _ownersSet = [.. set];
    }

    /// <summary>The issue the pull request's body refers to; 0 for none.</summary>
    public int AssociatedIssue { get; set; }

    /// <summary>Whether an associated issue (or a <c>/approve no-issue</c>) is required (<c>issue_required</c>).</summary>
    public bool RequireIssue { get; set; }

    /// <summary>The directories of the OWNERS files whose approval the pull request needs.</summary>
    public ImmutableSortedSet<string> OwnersSet => _ownersSet;

    /// <summary>Records <paramref name="login"/>'s <c>/approve</c> (Prow's <c>AddApprover</c>).</summary>
    public void AddApprover(string login, string reference, bool noIssue) => Add(login, "Approved", reference, noIssue);

    /// <summary>Records <paramref name="login"/>'s <c>/lgtm</c> acting as approval.</summary>
    public void AddLgtmer(string login, string reference, bool noIssue) => Add(login, "LGTM", reference, noIssue);

    /// <summary>Records the author's implicit approval.</summary>
    public void AddAuthorSelfApprover(string login, string reference, bool noIssue) => Add(login, "Author self-approved", reference, noIssue);

    /// <summary>Forgets <paramref name="login"/>'s approval.</summary>
    public void RemoveApprover(string login) => _approvals.Remove(RepoOwners.NormalizeLogin(login));

    /// <summary>Notes who is assigned (suggestions prefer them).</summary>
    public void AddAssignees(params IEnumerable<string> logins)
    {
        foreach (var login in logins)
        {
            _assignees.Add(RepoOwners.NormalizeLogin(login));
        }
    }

    /// <summary>Who approved, lower case.</summary>
    public ImmutableSortedSet<string> CurrentApprovers => [.. _approvals.Keys];

    /// <summary>The approvals, by lower-case login.</summary>
    public IReadOnlyList<Approval> ListApprovals() => [.. CurrentApprovers.Select(a => _approvals[a])];

    /// <summary>The <c>no-issue</c> approvals of people who may approve some of the files.</summary>
    public IReadOnlyList<Approval> ListNoIssueApprovals()
    {
        var reverse = ReverseMap(ApproversMap);
        return [.. CurrentApprovers.Where(a => _approvals[a].NoIssue && reverse.TryGetValue(a, out var files) && files.Count > 0).Select(a => _approvals[a])];
    }

    /// <summary>The OWNERS directories that no approval covers yet.</summary>
    public ImmutableSortedSet<string> UnapprovedFiles()
    {
        var unapproved = ImmutableSortedSet.CreateBuilder<string>(StringComparer.Ordinal);
        foreach (var file in _files)
        {
            var owners = _repo.FindApproverOwnersForFile(file);
            if (_ownersSet.Contains(owners) && !_repo.Approvers(file).Overlaps(_approvals.Keys))
            {
                unapproved.Add(owners);
            }
        }

        return unapproved.ToImmutable();
    }

    /// <summary>Whether every OWNERS file is approved; a pull request that changes nothing is not.</summary>
    public bool AreFilesApproved() => !_allFiles.IsEmpty && UnapprovedFiles().IsEmpty;

    /// <summary>Whether the files are approved and, when required, there is an issue or a <c>no-issue</c> approval.</summary>
    public bool RequirementsMet() => AreFilesApproved() && (!RequireIssue || AssociatedIssue != 0 || ListNoIssueApprovals().Count > 0);

    /// <summary>Whether the pull request is approved (Prow's <c>IsApproved</c>; approval added by hand is not read).</summary>
    public bool IsApproved() => RequirementsMet();

    /// <summary>Each OWNERS directory needed, whether it is approved, and by whom (as they spell their logins), in order.</summary>
    public IReadOnlyList<(string Directory, bool Approved, ImmutableSortedSet<string> Approvers)> Files()
    {
        var unapproved = UnapprovedFiles();
        return [.. _ownersSet.Select(d => (d, !unapproved.Contains(d), FileApprovers(d)))];
    }

    /// <summary>
    /// Who to ask (Prow's <c>GetCCs</c>): approvers that cover what is left, nearest OWNERS first,
    /// keeping assignees who help. Prow breaks ties with Go's random order seeded by the pull
    /// request's number; here a .NET shuffle with the same seed, so a tie may pick someone else.
    /// </summary>
    public ImmutableSortedSet<string> Suggested()
    {
        var current = CurrentApprovers.ToImmutableHashSet(StringComparer.Ordinal);
        var leafReverse = ReverseMap(LeafApproversMap);
        var suggested = KeepCoveringApprovers(leafReverse, current.Union(_assignees), ShuffledApprovers());
        var approversAndSuggested = current.Union(suggested);
        var everyone = approversAndSuggested.Union(_assignees);
        var keepAssignees = KeepCoveringApprovers(ReverseMap(ApproversMap), approversAndSuggested, [.. everyone.Order(StringComparer.Ordinal)]);
        return [.. suggested.Union(keepAssignees)];
    }

    /// <summary>Suggested approvers already assigned.</summary>
    public ImmutableSortedSet<string> AssignedCcs() => Suggested().Intersect(_assignees);

    /// <summary>Suggested approvers not assigned yet.</summary>
    public ImmutableSortedSet<string> SuggestedCcs() => Suggested().Except(_assignees);

    private void Add(string login, string how, string reference, bool noIssue)
    {
        var key = RepoOwners.NormalizeLogin(login);

        // A later approval replaces an earlier one, except that it keeps an earlier no-issue.
        if (_approvals.TryGetValue(key, out var earlier) && earlier.NoIssue && !noIssue)
        {
            return;
        }

        _approvals[key] = new Approval(login, how, reference, noIssue);
    }

    private ImmutableSortedSet<string> FileApprovers(string directory) =>
        ApproversMap.TryGetValue(directory, out var potential)
            ? [.. _approvals.Values.Where(a => potential.Contains(RepoOwners.NormalizeLogin(a.Login))).Select(a => a.Login)]
            : [];

    /// <summary>OWNERS directory → everyone who may approve its files.</summary>
    private ImmutableDictionary<string, ImmutableHashSet<string>> ApproversMap => _approversMap ??= MapOwners(_repo.Approvers);

    /// <summary>OWNERS directory → the nearest approvers of its files.</summary>
    private ImmutableDictionary<string, ImmutableHashSet<string>> LeafApproversMap => _leafApproversMap ??= MapOwners(_repo.LeafApprovers);

    private ImmutableDictionary<string, ImmutableHashSet<string>> MapOwners(Func<string, ImmutableHashSet<string>> approversOf)
    {
        var map = new Dictionary<string, ImmutableHashSet<string>>(StringComparer.Ordinal);
        foreach (var file in _files)
        {
            var owners = _repo.FindApproverOwnersForFile(file);
            map[owners] = map.TryGetValue(owners, out var known) ? known.Union(approversOf(file)) : approversOf(file);
        }

        return map.Where(e => _ownersSet.Contains(e.Key)).ToImmutableDictionary(StringComparer.Ordinal);
    }

    private static Dictionary<string, HashSet<string>> ReverseMap(ImmutableDictionary<string, ImmutableHashSet<string>> approvers)
    {
        var reverse = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (owners, people) in approvers)
        {
            foreach (var person in people)
            {
                if (!reverse.TryGetValue(person, out var files))
                {
                    reverse[person] = files = new HashSet<string>(StringComparer.Ordinal);
                }

                files.Add(owners);
            }
        }

        return reverse;
    }

    private List<string> ShuffledApprovers()
    {
        var people = LeafApproversMap.Values.SelectMany(p => p).Distinct().Order(StringComparer.Ordinal).ToArray();
        new Random(_seed).Shuffle(people);
        return [.. people];
    }

    private PullRequestApprovals Fresh() => new(_repo, _allFiles, _seed);

    private ImmutableHashSet<string> KeepCoveringApprovers(Dictionary<string, HashSet<string>> reverse, ImmutableHashSet<string> known, List<string> potential)
    {
        var probe = Fresh();
        foreach (var approver in known)
        {
            probe.AddApprover(approver, "", false);
        }

        var unapproved = probe.UnapprovedFiles();
        return [.. SuggestedApprovers(reverse, potential).Where(s => reverse.TryGetValue(s, out var files) && files.Overlaps(unapproved))];
    }

    /// <summary>Prow's greedy cover: add whoever approves most of what is left until all is approved or nobody helps.</summary>
    private ImmutableSortedSet<string> SuggestedApprovers(Dictionary<string, HashSet<string>> reverse, List<string> potential)
    {
        var probe = Fresh();
        while (!probe.RequirementsMet())
        {
            var best = MostCoveringApprover(potential, probe.CurrentApprovers, reverse, probe.UnapprovedFiles());
            if (best.Length == 0)
            {
                break;
            }

            probe.AddApprover(best, "", false);
        }

        return probe.CurrentApprovers;
    }

    private static string MostCoveringApprover(List<string> all, ImmutableSortedSet<string> covered, Dictionary<string, HashSet<string>> reverse, ImmutableSortedSet<string> unapproved)
    {
        var max = 0;
        var best = "";
        foreach (var approver in all)
        {
            var files = reverse.GetValueOrDefault(approver) ?? [];
            if (files.Count(unapproved.Contains) > max && !covered.Contains(approver))
            {
                // Prow compares what is left against all the files the best one can approve.
                max = files.Count;
                best = approver;
            }
        }

        return best;
    }

    /// <summary>Drops each directory whose parent is needed too, unless <c>no_parent_owners</c> stands between (Prow's <c>removeSubdirs</c>).</summary>
    private void RemoveSubdirectories(SortedSet<string> directories)
    {
        foreach (var directory in directories.ToList())
        {
            var path = directory;
            while (!_repo.IsNoParentOwners(path) && path.Length > 0)
            {
                path = RepoOwners.Dir(path);
                if (directories.Contains(path))
                {
                    directories.Remove(directory);
                    break;
                }
            }
        }
    }
}
