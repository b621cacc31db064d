using Mothership.Ci.Jobs;

namespace Mothership.Ci.Tests.Jobs;

/// <summary><c>branches</c> and <c>skip_branches</c> as Prow's Brancher matches them.</summary>
public sealed class BrancherTests
{
    private static Brancher Of(string fields) => ProwYaml.Presubmit($"""
        name: foo
        spec: {"{containers: [{image: alpine}]}"}
        {fields}
        """).Brancher;

    // Prow's TestRunAgainstBranch: the default job runs on s and r; the others on r only.
    [Theory]
    [InlineData("skip_branches: [s]")]
    [InlineData("branches: [r]")]
    [InlineData("skip_branches: [s]\nbranches: [r]")]
    [InlineData("skip_branches: [s]\nbranches: [s, r]")]
    public void ShouldRun_ProwsRunAgainstBranch_OnlyR(string fields)
    {
        var brancher = Of(fields);

        Assert.False(brancher.ShouldRun("s"));
        Assert.True(brancher.ShouldRun("r"));
    }

    [Fact]
    public void ShouldRun_NoLists_EveryBranch()
    {
        var brancher = Of("");

        Assert.True(brancher.RunsAgainstAllBranches);
        Assert.True(brancher.ShouldRun("s"));
        Assert.True(brancher.ShouldRun("anything/at-all"));
    }

    [Theory]
    // Prow joins the regexes with | and matches them anywhere in the name (not anchored).
    [InlineData("branches: [main]", "main", true)]
    [InlineData("branches: [main]", "main-backport", true)]
    [InlineData("branches: [^main$]", "main-backport", false)]
    [InlineData("branches: [^main$, ^release-\\d+\\.\\d+$]", "release-1.30", true)]
    [InlineData("branches: [^main$, ^release-\\d+\\.\\d+$]", "release-1.30-rc", false)]
    [InlineData("branches: [^release-]\nskip_branches: ['^release-1\\.2[0-9]$']", "release-1.29", false)]
    [InlineData("branches: [^release-]\nskip_branches: ['^release-1\\.2[0-9]$']", "release-1.30", true)]
    [InlineData("skip_branches: [^gh-pages$, ^dependabot/]", "dependabot/go_modules/golang.org/x/net-0.23.0", false)]
    [InlineData("skip_branches: [^gh-pages$, ^dependabot/]", "main", true)]
    public void ShouldRun_Regexes_AsProwMatchesThem(string fields, string branch, bool expected) =>
        Assert.Equal(expected, Of(fields).ShouldRun(branch));

    [Theory]
    [InlineData("", "branches: [main]", true)]
    [InlineData("branches: [main]", "branches: [main, dev]", true)]
    [InlineData("branches: [main]", "branches: [release-1.0]", false)]
    [InlineData("branches: [main]", "skip_branches: [main]", false)]
    [InlineData("skip_branches: [main]", "branches: [dev]", true)]
    [InlineData("skip_branches: [main]", "skip_branches: [dev]", true)]
    public void Intersects_AsProw(string a, string b, bool expected)
    {
        Assert.Equal(expected, Of(a).Intersects(Of(b)));
        Assert.Equal(expected, Of(b).Intersects(Of(a)));
    }

    [Fact]
    public void Equals_SameLists_Equal() =>
        Assert.Equal(Of("branches: [main]\nskip_branches: [x]"), Of("branches: [main]\nskip_branches: [x]"));
}
