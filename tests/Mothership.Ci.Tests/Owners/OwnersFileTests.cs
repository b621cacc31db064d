using Mothership.Ci.Owners;
using Mothership.Model.Diagnostics;

namespace Mothership.Ci.Tests.Owners;

/// <summary>Reading OWNERS and OWNERS_ALIASES files: Prow's forms, and diagnostics at FILE:LINE:COL for bad ones.</summary>
public sealed class OwnersFileTests
{
    [Fact]
    public void Parse_SimpleFile_ReadsEveryList()
    {
        var diagnostics = new DiagnosticBag();

        var file = OwnersFile.Parse("pkg/", """
            approvers: [a]
            reviewers: [r]
            required_reviewers: [rr]
            labels: [area/pkg]
            emeritus_approvers: [e]
            options:
              no_parent_owners: true
              auto_approve_unowned_subfolders: true
            """, diagnostics);

        Assert.Empty(diagnostics.Items);
        Assert.NotNull(file);
        Assert.Equal("pkg", file.Directory);
        Assert.True(file.NoParentOwners);
        Assert.True(file.AutoApproveUnownedSubfolders);
        var filter = Assert.Single(file.Filters);
        Assert.Null(filter.Match);
        Assert.Equal(["a"], filter.Config.Approvers);
        Assert.Equal(["area/pkg"], filter.Config.Labels);
        Assert.Equal(["e"], filter.Config.EmeritusApprovers);
    }

    [Fact]
    public void Parse_MalformedYaml_NullWithErrorAtFileLineColumn()
    {
        var diagnostics = new DiagnosticBag();

        var file = OwnersFile.Parse("docs", "approvers:\n  - a\n - b: [\n", diagnostics);

        Assert.Null(file);
        var error = Assert.Single(diagnostics.Items);
        Assert.Equal(Severity.Error, error.Severity);
        Assert.StartsWith("docs/OWNERS:", error.Location.ToString(), StringComparison.Ordinal);
        Assert.True(error.Location.Line > 0);
    }

    [Fact]
    public void Parse_ApproversNotAList_NullWithError()
    {
        var diagnostics = new DiagnosticBag();

        var file = OwnersFile.Parse("", "reviewers: [r]\napprovers: alice\n", diagnostics);

        Assert.Null(file);
        var error = Assert.Single(diagnostics.Items);
        Assert.Equal(new SourceLocation("OWNERS", 2, 12), error.Location);
        Assert.Contains("approvers", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadFilterRegexAndUnknownKey_WarnedAndSkipped()
    {
        var diagnostics = new DiagnosticBag();

        var file = OwnersFile.Parse("", """
            filters:
              "(unclosed":
                approvers: [x]
              "\\.md$":
                approvers: [writer]
            aprovers: [typo]
            """, diagnostics);

        Assert.NotNull(file);
        Assert.Equal(@"\.md$", Assert.Single(file.Filters).Pattern);
        Assert.All(diagnostics.Items, d => Assert.Equal(Severity.Warning, d.Severity));
        Assert.Contains(diagnostics.Items, d => d.Message.Contains("(unclosed", StringComparison.Ordinal) && d.Location.Line == 2);
        Assert.Contains(diagnostics.Items, d => d.Message.Contains("'aprovers'", StringComparison.Ordinal) && d.Location.Line == 6);
    }

    [Fact]
    public void Parse_ApproversAndFilters_FiltersIgnoredAsProwDoes()
    {
        var diagnostics = new DiagnosticBag();

        var file = OwnersFile.Parse("", "approvers: [a]\nfilters:\n  '.*':\n    approvers: [b]\n", diagnostics);

        Assert.Equal(["a"], Assert.Single(file!.Filters).Config.Approvers);
        Assert.Contains(diagnostics.Items, d => d.Severity == Severity.Warning && d.Location.Line == 2);
    }

    [Fact]
    public void Parse_EmptyFile_OwnsNothing()
    {
        var diagnostics = new DiagnosticBag();

        var file = OwnersFile.Parse("x", "", diagnostics);

        Assert.Empty(diagnostics.Items);
        Assert.Empty(file!.Filters);
    }

    [Fact]
    public void ParseAliases_ListsMappingsAndNulls_LowerCaseMembers()
    {
        var diagnostics = new DiagnosticBag();

        var aliases = OwnersAliases.Parse("""
            aliases:
              Team-A: [Ann, "@Bo"]
              team-b: {cy: null}
              nobody:
            """, diagnostics);

        Assert.Empty(diagnostics.Items);
        Assert.Equal(["ann", "bo"], aliases.Groups["team-a"].Order(StringComparer.Ordinal));
        Assert.Equal(["cy"], aliases.Groups["team-b"]);
        Assert.Empty(aliases.Groups["nobody"]);
        Assert.Equal(["ann", "bo", "solo"], aliases.Expand(["team-a", "solo"]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ParseAliases_NotYaml_NoneWithError()
    {
        var diagnostics = new DiagnosticBag();

        var aliases = OwnersAliases.Parse("aliases: [\n", diagnostics);

        Assert.Same(OwnersAliases.None, aliases);
        Assert.StartsWith("OWNERS_ALIASES:", Assert.Single(diagnostics.Items).Location.ToString(), StringComparison.Ordinal);
    }
}
