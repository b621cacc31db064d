using Mothership.Ci.Owners;
using Mothership.Ci.Plugins.Approve;
using Mothership.Model.Diagnostics;

namespace Mothership.Ci.Tests.Plugins.Approve;

/// <summary>
/// Which OWNERS files a change needs and when it is approved: the cases of Prow's
/// approvers_test.go (TestUnapprovedFiles, TestIsApproved) on real OWNERS files.
/// </summary>
public sealed class PullRequestApprovalsTests
{
    private static readonly Dictionary<string, string[]> Approvers = new()
    {
        [""] = ["Alice", "Bob"],
        ["a"] = ["Art", "Anne"],
        ["b"] = ["Bill", "Ben", "Barbara"],
        ["c"] = ["Chris", "Carol"],
        ["a/d"] = ["David", "Dan", "Debbie"],
        ["a/combo"] = ["Eve", "Erin", "David", "Dan", "Debbie", "Chris", "Carol"],
    };

    private static RepoOwners Repo(string? autoApprove = null)
    {
        var diagnostics = new DiagnosticBag();
        var files = Approvers.Select(e => OwnersFile.Parse(
            e.Key,
            $"approvers: [{string.Join(", ", e.Value)}]\n" + (e.Key == autoApprove ? "options: {auto_approve_unowned_subfolders: true}\n" : ""),
            diagnostics)!).ToList();
        Assert.Empty(diagnostics.Items);
        return new RepoOwners(files);
    }

    private static PullRequestApprovals Approvals(string files, string approved, string? autoApprove = null)
    {
        var approvals = new PullRequestApprovals(Repo(autoApprove), files.Split(' ', StringSplitOptions.RemoveEmptyEntries), 0);
        foreach (var login in approved.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            approvals.AddApprover(login, "REFERENCE", false);
        }

        return approvals;
    }

    [Theory]
    [InlineData("", "", "")]
    [InlineData("kubernetes.go", "Alice", "")]
    [InlineData("kubernetes.go", "", "<root>")]
    [InlineData("b/test.go b/test_1.go", "Alice Bob", "")]
    [InlineData("b/test_1.go b/test.go", "", "b")]
    [InlineData("a/combo/test.go a/d/test.go", "", "a/combo a/d")]
    [InlineData("a/combo/test.go a/d/test.go", "Eve Erin Chris Carol", "a/d")]
    [InlineData("a/combo/test.go a/d/test.go", "David Dan Debbie", "")]
    public void UnapprovedFiles_ProwCases(string files, string approved, string unapproved) =>
        Assert.Equal(
            unapproved.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(d => d == "<root>" ? "" : d),
            Approvals(files, approved).UnapprovedFiles().ToList());

    [Theory]
    [InlineData("", "", null, false)]
    [InlineData("kubernetes.go", "Alice", null, true)]
    [InlineData("kubernetes.go", "", null, false)]
    [InlineData("a/combo/test.go a/d/test.go", "", null, false)]
    [InlineData("a/combo/test.go a/d/test.go", "David Dan Debbie", null, true)]
    [InlineData("a/test.go b/test.go c/test", "", null, false)]
    [InlineData("a/test.go b/test.go c/test", "Art Anne Bill Ben Barbara", null, false)]
    [InlineData("a/test.go b/test.go c/test", "Alice Bob", null, true)]
    [InlineData("a/test.go b/test.go c/test", "Anne Ben Carol", null, true)]
    [InlineData("a/test.go", "", "a", false)]
    [InlineData("a/new-folder/test.go", "", "a", true)]
    [InlineData("b/unapproved.go a/new-folder/test.go", "", "a", false)]
    [InlineData("b/approved.go a/new-folder/test.go", "Barbara", "a", true)]
    [InlineData("a/new-folder/child/grandchild/test.go", "", "a", true)]
    [InlineData("a/d/new-file.go", "", "a", false)]
    public void IsApproved_ProwCases(string files, string approved, string? autoApprove, bool expected) =>
        Assert.Equal(expected, Approvals(files, approved, autoApprove).IsApproved());

    [Fact]
    public void AddApprover_LaterPlainApprovalAfterNoIssue_KeepsTheNoIssue()
    {
        var approvals = Approvals("kubernetes.go", "");
        approvals.RequireIssue = true;
        approvals.AddApprover("alice", "first", noIssue: true);
        approvals.AddApprover("Alice", "second", noIssue: false);

        Assert.True(approvals.IsApproved());
        Assert.Equal("first", Assert.Single(approvals.ListNoIssueApprovals()).Reference);
    }

    [Fact]
    public void Files_PartlyApprovedDirectory_ListsWhoApprovedAsTheySpellIt()
    {
        // Eve may approve a/combo's file, not a/d's.
        var approvals = Approvals("a/combo/x.go a/d/y.go", "EVE");

        Assert.Equal(
            [("a/combo", true, "EVE"), ("a/d", false, "")],
            approvals.Files().Select(f => (f.Directory, f.Approved, string.Join(',', f.Approvers))));
    }
}
