namespace Mothership.Testing.GitHub;

/// <summary>
/// A repository in the fake: branches, files by ref, issues and pull requests with their labels,
/// comments and changed files, commit statuses, labels, collaborators and webhooks. Seed it
/// before the code under test runs; read what that code did through the snapshot members.
/// </summary>
public sealed class FakeRepository
{
    private readonly FakeGitHub _github;
    private readonly Dictionary<string, string> _branches = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Sha, string Path), byte[]> _files = [];
    private readonly Dictionary<string, string> _trees = new(StringComparer.Ordinal);
    private readonly HashSet<string> _collaborators = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _tags = new(StringComparer.Ordinal);

    internal FakeRepository(FakeGitHub github, long id, string owner, string name)
    {
        _github = github;
        Id = id;
        Owner = owner;
        Name = name;
        Hooks = new FakeHooks(github);
    }

    public long Id { get; }

    public string Owner { get; }

    public string Name { get; }

    public string FullName => Owner + "/" + Name;

    /// <summary>The branch a ref-less content read uses. Default <c>main</c>.</summary>
    public string DefaultBranch { get; set; } = "main";

    /// <summary>The merge methods the repository allows (GitHub's repository settings). Default all three.</summary>
    public HashSet<string> AllowedMergeMethods { get; } = new(StringComparer.Ordinal) { "merge", "squash", "rebase" };

    /// <summary>The commit <paramref name="branch"/> points at now; null when there is no such branch.</summary>
    public string? BranchSha(string branch)
    {
        lock (_github.Gate)
        {
            return _branches.GetValueOrDefault(branch);
        }
    }

    internal FakeHooks Hooks { get; }

    internal SortedDictionary<int, FakeIssue> Issues { get; } = [];

    internal List<FakeLabel> Labels { get; } = [];

    internal List<FakeStatus> StatusList { get; } = [];

    internal List<FakeComment> CommentList { get; } = [];

    internal List<FakeCheckRun> CheckRunList { get; } = [];

    /// <summary>Every check run, oldest first, as it stands now.</summary>
    public IReadOnlyList<FakeCheckRun> CheckRuns
    {
        get
        {
            lock (_github.Gate)
            {
                return [.. CheckRunList];
            }
        }
    }

    internal List<FakeReview> ReviewList { get; } = [];

    /// <summary>Every status reported, oldest first.</summary>
    public IReadOnlyList<FakeStatus> Statuses
    {
        get
        {
            lock (_github.Gate)
            {
                return [.. StatusList];
            }
        }
    }

    /// <summary>Points <paramref name="branch"/> at <paramref name="sha"/>.</summary>
    public void SetBranch(string branch, string sha)
    {
        lock (_github.Gate)
        {
            _branches[branch] = sha;
        }
    }

    /// <summary>The branches and the commits they point at, by name. Call under the gate.</summary>
    internal Dictionary<string, string> Branches => _branches;

    /// <summary>The tags and the commits they point at, by name. Call under the gate.</summary>
    internal Dictionary<string, string> TagRefs => _tags;

    /// <summary>The commit tag <paramref name="tag"/> points at; null when there is no such tag.</summary>
    public string? TagSha(string tag)
    {
        lock (_github.Gate)
        {
            return _tags.GetValueOrDefault(tag);
        }
    }

    internal List<FakeRelease> ReleaseList { get; } = [];

    /// <summary>Every release published, oldest first.</summary>
    public IReadOnlyList<FakeRelease> Releases
    {
        get
        {
            lock (_github.Gate)
            {
                return [.. ReleaseList];
            }
        }
    }

    /// <summary>Publishes a release of <paramref name="tag"/> on <paramref name="target"/> (as a maintainer would, outside the code under test).</summary>
    public FakeRelease AddRelease(string tag, string target, string name, string body = "")
    {
        lock (_github.Gate)
        {
            _tags.TryAdd(tag, Resolve(target));
            var release = new FakeRelease(_github.NextId(), tag, target, name, body, _github.Options.Login, _github.Now);
            ReleaseList.Add(release);
            return release;
        }
    }

    internal List<FakeCommit> CommitList { get; } = [];

    /// <summary>Every commit made through the contents API, oldest first.</summary>
    public IReadOnlyList<FakeCommit> Commits
    {
        get
        {
            lock (_github.Gate)
            {
                return [.. CommitList];
            }
        }
    }

    /// <summary>
    /// Writes one file on <paramref name="branch"/> as a new commit whose tree is its parent's with
    /// that file replaced (a branch that does not exist yet gets a first commit); returns the commit.
    /// Call under the gate.
    /// </summary>
    internal FakeCommit CommitFile(string branch, string path, byte[] content, string message, string author)
    {
        var parent = _branches.GetValueOrDefault(branch);
        path = path.Trim('/');
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(
            System.Text.Encoding.UTF8.GetBytes($"{parent}\n{path}\n{message}\n{CommitList.Count}\n").Concat(content).ToArray()));
        if (parent is not null)
        {
            foreach (var ((_, filePath), bytes) in _files.Where(f => f.Key.Sha == parent).ToList())
            {
                _files[(sha, filePath)] = bytes;
            }
        }

        _files[(sha, path)] = content;
        _branches[branch] = sha;
        var commit = new FakeCommit(sha, parent, branch, path, message, author);
        CommitList.Add(commit);
        return commit;
    }

    /// <summary>Sets a file's content at a ref (a branch set by <see cref="SetBranch"/>, or a sha).</summary>
    public void SetFile(string gitRef, string path, string content) => SetFile(gitRef, path, System.Text.Encoding.UTF8.GetBytes(content));

    /// <inheritdoc cref="SetFile(string, string, string)"/>
    public void SetFile(string gitRef, string path, byte[] content)
    {
        lock (_github.Gate)
        {
            _files[(Resolve(gitRef), path.Trim('/'))] = content;
        }
    }

    /// <summary>Records commit <paramref name="sha"/> with tree <paramref name="tree"/> (for <c>GET git/commits/{sha}</c>).</summary>
    public void SetCommitTree(string sha, string tree)
    {
        lock (_github.Gate)
        {
            _trees[sha] = tree;
        }
    }

    /// <summary>The tree of a commit recorded by <see cref="SetCommitTree"/>, or null. Call under the gate.</summary>
    internal string? Tree(string sha) => _trees.GetValueOrDefault(sha);

    /// <summary>Adds a repository label.</summary>
    public FakeLabel AddLabel(string name, string color = "ededed", string? description = null, bool isDefault = false)
    {
        lock (_github.Gate)
        {
            var label = new FakeLabel(_github.NextId(), name, color, description, isDefault);
            Labels.Add(label);
            return label;
        }
    }

    /// <summary>Opens an issue; returns it.</summary>
    public FakeIssue AddIssue(string title, string author = "octocat", string? body = null)
    {
        lock (_github.Gate)
        {
            var issue = new FakeIssue(_github.NextId(), NextNumber(), title, author, _github.Now) { Body = body };
            Issues[issue.Number] = issue;
            return issue;
        }
    }

    /// <summary>Opens a pull request from <paramref name="headRef"/> at <paramref name="headSha"/> into <paramref name="baseRef"/>; returns it.</summary>
    public FakeIssue AddPullRequest(
        string author, string headSha, string headRef = "feature", string baseRef = "main", string? baseSha = null, string? title = null,
        IEnumerable<FakePullRequestFile>? files = null)
    {
        lock (_github.Gate)
        {
            var number = NextNumber();
            var pr = new FakeIssue(_github.NextId(), number, title ?? $"Pull request {number}", author, _github.Now)
            {
                IsPullRequest = true,
                HeadSha = headSha,
                HeadRef = headRef,
                BaseRef = baseRef,
                BaseSha = baseSha ?? _branches.GetValueOrDefault(baseRef) ?? new string('0', 39) + "1",
            };
            pr.Files.AddRange(files ?? []);
            Issues[number] = pr;
            return pr;
        }
    }

    /// <summary>Makes <paramref name="login"/> a collaborator.</summary>
    public void AddCollaborator(string login)
    {
        lock (_github.Gate)
        {
            _collaborators.Add(login);
        }
    }

    /// <summary>Adds a webhook; returns its id.</summary>
    public long AddHook() => Hooks.Add();

    /// <summary>Records a delivery of hook <paramref name="hookId"/>.</summary>
    public FakeDelivery AddDelivery(long hookId, string @event, string? action = null, int statusCode = 200, DateTimeOffset? deliveredAt = null) =>
        Hooks.AddDelivery(hookId, @event, action, statusCode, deliveredAt);

    /// <summary>The deliveries of a hook, oldest first, redeliveries included.</summary>
    public IReadOnlyList<FakeDelivery> Deliveries(long hookId) => Hooks.Snapshot(hookId);

    /// <summary>An issue or pull request; null when there is none.</summary>
    public FakeIssue? Issue(int number)
    {
        lock (_github.Gate)
        {
            return Issues.GetValueOrDefault(number);
        }
    }

    /// <summary>The label names on an issue or pull request now.</summary>
    public IReadOnlyList<string> LabelsOn(int number)
    {
        lock (_github.Gate)
        {
            return [.. Issues.GetValueOrDefault(number)?.LabelNames ?? []];
        }
    }

    /// <summary>Puts <paramref name="labels"/> on an issue or pull request (as a person would), creating those the repository lacks.</summary>
    public void AddLabelsTo(int number, params string[] labels)
    {
        lock (_github.Gate)
        {
            var issue = Issues[number];
            foreach (var name in labels)
            {
                if (!Labels.Any(l => string.Equals(l.Name, name, StringComparison.OrdinalIgnoreCase)))
                {
                    AddLabel(name);
                }

                if (!issue.LabelNames.Contains(name, StringComparer.OrdinalIgnoreCase))
                {
                    issue.LabelNames.Add(name);
                }
            }
        }
    }

    /// <summary>Records a comment <paramref name="author"/> wrote on an issue or pull request (as a person would, outside the code under test).</summary>
    public FakeComment AddComment(int number, string author, string body)
    {
        lock (_github.Gate)
        {
            var comment = new FakeComment(_github.NextId(), number, author, body, _github.Now, _github.Now);
            CommentList.Add(comment);
            return comment;
        }
    }

    /// <summary>Records a review <paramref name="author"/> submitted on a pull request, in GitHub's upper-case <paramref name="state"/> (<c>APPROVED</c>…).</summary>
    public FakeReview AddReview(int number, string author, string state, string body = "")
    {
        lock (_github.Gate)
        {
            var pr = Issues.GetValueOrDefault(number) ?? throw new ArgumentException($"no pull request {number}", nameof(number));
            var review = new FakeReview(_github.NextId(), number, author, state, body, pr.HeadSha, _github.Now);
            ReviewList.Add(review);
            return review;
        }
    }

    /// <summary>Dismisses a review, as a maintainer would: its state becomes <c>DISMISSED</c>.</summary>
    public FakeReview DismissReview(long id)
    {
        lock (_github.Gate)
        {
            var index = ReviewList.FindIndex(r => r.Id == id);
            var dismissed = ReviewList[index] with { State = "DISMISSED" };
            ReviewList[index] = dismissed;
            return dismissed;
        }
    }

    /// <summary>The comments on an issue or pull request now, oldest first.</summary>
    public IReadOnlyList<FakeComment> CommentsOn(int number)
    {
        lock (_github.Gate)
        {
            return [.. CommentList.Where(c => c.IssueNumber == number)];
        }
    }

    /// <summary>The sha a branch points at, or the ref itself (a sha). Call under the gate.</summary>
    internal string Resolve(string gitRef)
    {
        var name = gitRef.StartsWith("refs/heads/", StringComparison.Ordinal) ? gitRef["refs/heads/".Length..] : gitRef;
        return _branches.GetValueOrDefault(name) ?? gitRef;
    }

    /// <summary>Whether the ref names a branch or looks like a commit sha. Call under the gate.</summary>
    internal bool RefExists(string gitRef) =>
        _branches.ContainsKey(gitRef.StartsWith("refs/heads/", StringComparison.Ordinal) ? gitRef["refs/heads/".Length..] : gitRef)
        || (gitRef.Length is >= 7 and <= 40 && gitRef.All(char.IsAsciiHexDigit));

    /// <summary>A file's content at a ref (a branch or a sha) now; null when there is none.</summary>
    public byte[]? FileAt(string gitRef, string path)
    {
        lock (_github.Gate)
        {
            return File(gitRef, path);
        }
    }

    /// <summary>A file at a ref, or null. Call under the gate.</summary>
    internal byte[]? File(string gitRef, string path) => _files.GetValueOrDefault((Resolve(gitRef), path.Trim('/')));

    /// <summary>The files and directories directly under <paramref name="directory"/> at a ref. Call under the gate.</summary>
    internal IReadOnlyList<(string Path, byte[]? Content)> List(string gitRef, string directory)
    {
        var sha = Resolve(gitRef);
        var prefix = directory.Trim('/') is { Length: > 0 } d ? d + "/" : "";
        return [.. _files
            .Where(f => f.Key.Sha == sha && f.Key.Path.StartsWith(prefix, StringComparison.Ordinal))
            .Select(f => f.Key.Path[prefix.Length..].Split('/') is [var leaf] ? (prefix + leaf, f.Value) : (prefix + f.Key.Path[prefix.Length..].Split('/')[0], (byte[]?)null))
            .DistinctBy(e => e.Item1)
            .OrderBy(e => e.Item1, StringComparer.Ordinal)];
    }

    internal bool IsCollaborator(string login) => _collaborators.Contains(login);

    private int NextNumber() => Issues.Count == 0 ? 1 : Issues.Keys.Max() + 1;
}
