using Mothership.Ci.Owners;
using Mothership.Model.Diagnostics;

namespace Mothership.Ci.Tests.Owners;

/// <summary>Approvers per file over an OWNERS tree with aliases, filters and no_parent_owners, as Prow's repoowners resolves them.</summary>
public sealed class RepoOwnersTests
{
    private static RepoOwners Tree()
    {
        var diagnostics = new DiagnosticBag();
        var aliases = OwnersAliases.Parse("""
            aliases:
              sig-leads:
                - Lead1
                - "@lead2"
            """, diagnostics);
        RepoOwners owners = new(
            [
                OwnersFile.Parse("", "approvers: [root-a, sig-leads]\nreviewers: [root-r]\n", diagnostics)!,
                OwnersFile.Parse("a", "approvers: ['@Alice']\nrequired_reviewers: [sec]\nemeritus_approvers: [old-timer]\n", diagnostics)!,
                OwnersFile.Parse("a/b", "options:\n  no_parent_owners: true\napprovers: [bob]\n", diagnostics)!,
                OwnersFile.Parse("c", """
                    filters:
                      "\\.go$":
                        approvers: [gopher]
                      ".*":
                        reviewers: [rev]
                    """, diagnostics)!,
            ],
            aliases);
        Assert.Empty(diagnostics.Items);
        return owners;
    }

    [Theory]
    [InlineData("a/x.go", "alice,lead1,lead2,root-a")]
    [InlineData("a/b/y.go", "bob")]
    [InlineData("a/b/deeper/z.go", "bob")]
    [InlineData("c/main.go", "gopher,lead1,lead2,root-a")]
    [InlineData("c/README.md", "lead1,lead2,root-a")]
    [InlineData("d/e.txt", "lead1,lead2,root-a")]
    [InlineData("top.txt", "lead1,lead2,root-a")]
    public void Approvers_File_ParentsUpToRootOrNoParentOwnersWithAliasesAndFilters(string file, string expected) =>
        Assert.Equal(expected, string.Join(',', Tree().Approvers(file).Order(StringComparer.Ordinal)));

    [Theory]
    [InlineData("a/x.go", "a")]
    [InlineData("a/b/deeper/z.go", "a/b")]
    [InlineData("c/main.go", "c")]
    [InlineData("c/README.md", "")]
    [InlineData("d/e.txt", "")]
    public void FindApproverOwnersForFile_File_NearestOwnersWithApproversForIt(string file, string expected) =>
        Assert.Equal(expected, Tree().FindApproverOwnersForFile(file));

    [Fact]
    public void LeafApprovers_FileUnderTwoOwners_OnlyTheNearest()
    {
        var tree = Tree();

        Assert.Equal(["alice"], tree.LeafApprovers("a/x.go"));
        Assert.Equal(["gopher"], tree.LeafApprovers("c/main.go"));
        Assert.Equal(["lead1", "lead2", "root-a"], tree.LeafApprovers("c/README.md").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Reviewers_FilterAndParents_Merged()
    {
        var tree = Tree();

        Assert.Equal(["rev", "root-r"], tree.Reviewers("c/README.md").Order(StringComparer.Ordinal));
        Assert.Equal(["sec"], tree.RequiredReviewers("a/b/y.go"));
    }

    [Fact]
    public void Approvers_EmeritusApprover_ApprovesNothing() =>
        Assert.DoesNotContain("old-timer", Tree().Approvers("a/x.go"));

    [Fact]
    public void IsNoParentOwners_Directory_AsItsOwnersSays()
    {
        var tree = Tree();

        Assert.True(tree.IsNoParentOwners("a/b"));
        Assert.False(tree.IsNoParentOwners("a"));
        Assert.False(tree.IsNoParentOwners("d"));
    }

    [Fact]
    public void Approvers_NoParentOwnersWithoutApprovers_GoesOnToParents()
    {
        // Prow stops at no_parent_owners only once it found someone.
        var diagnostics = new DiagnosticBag();
        var tree = new RepoOwners(
        [
            OwnersFile.Parse("", "approvers: [root-a]", diagnostics)!,
            OwnersFile.Parse("x", "options: {no_parent_owners: true}\nreviewers: [r]", diagnostics)!,
        ]);

        Assert.Equal(["root-a"], tree.Approvers("x/f"));
    }
}
