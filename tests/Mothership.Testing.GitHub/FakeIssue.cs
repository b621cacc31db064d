namespace Mothership.Testing.GitHub;

/// <summary>
/// An issue or a pull request (GitHub numbers both in one sequence and serves a pull request's
/// labels and comments as an issue's). A test may change its properties while no request to it
/// is in flight; the fake changes them under its lock.
/// </summary>
public sealed class FakeIssue
{
    internal FakeIssue(long id, int number, string title, string author, DateTimeOffset createdAt)
    {
        Id = id;
        Number = number;
        Title = title;
        Author = author;
        CreatedAt = createdAt;
        UpdatedAt = createdAt;
    }

    public long Id { get; }

    public int Number { get; }

    public string Title { get; set; }

    public string? Body { get; set; }

    public string Author { get; set; }

    /// <summary>Whether it is closed (a merged pull request is closed).</summary>
    public bool Closed { get; set; }

    public DateTimeOffset CreatedAt { get; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Whether it is a pull request (then the Head/Base members mean something).</summary>
    public bool IsPullRequest { get; internal init; }

    public string HeadSha { get; set; } = "";

    public string HeadRef { get; set; } = "";

    public string BaseRef { get; set; } = "main";

    public string BaseSha { get; set; } = "";

    public bool Draft { get; set; }

    public bool Merged { get; set; }

    /// <summary>Null: GitHub has not computed it yet.</summary>
    public bool? Mergeable { get; set; } = true;

    /// <summary>The <c>merge_method</c> it was merged with; null until merged.</summary>
    public string? MergeMethod { get; internal set; }

    /// <summary>The files a pull request changes, in GitHub's order.</summary>
    public List<FakePullRequestFile> Files { get; } = [];

    /// <summary>Who it is assigned to, in the order assigned.</summary>
    public List<string> Assignees { get; } = [];

    /// <summary>Who a pull request's review is requested from: users, and teams as <c>org/team</c>.</summary>
    public List<string> RequestedReviewers { get; } = [];

    /// <summary>The commit a merge made (GitHub's <c>merge_commit_sha</c> once merged); null: the head when mergeable, as before a merge.</summary>
    public string? MergeCommitSha { get; set; }

    /// <summary>The names of its labels, in the order added.</summary>
    internal List<string> LabelNames { get; } = [];
}
