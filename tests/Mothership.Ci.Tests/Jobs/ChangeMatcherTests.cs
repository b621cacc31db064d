using Mothership.Ci.Jobs;

namespace Mothership.Ci.Tests.Jobs;

/// <summary><c>run_if_changed</c> and <c>skip_if_only_changed</c>: Prow's RunsAgainstChanges cases (jobs_test.go).</summary>
public sealed class ChangeMatcherTests
{
    private static ChangeMatcher Of(string field, string regex) => ProwYaml.Postsubmit($"""
        name: cross-build
        spec: {"{containers: [{image: alpine}]}"}
        {field}: '{regex}'
        """).Changes;

    [Theory]
    [InlineData(new[] { "some random file" }, false)]
    [InlineData(new[] { "./pkg/util/rlimit/rlimit_linux.go" }, true)]
    [InlineData(new[] { "./pkg/util/rlimit/rlimit_unknown_test.go" }, true)]
    [InlineData(new[] { "build.sh" }, true)]
    [InlineData(new[] { "build.shoo" }, false)]
    [InlineData(new[] { "Makefile" }, true)]
    public void RunsAgainstChanges_RunIfChanged_ProwsCases(string[] changes, bool expected) =>
        Assert.Equal(expected, Of("run_if_changed", @"(Makefile|\.sh|_(windows|linux|osx|unknown)(_test)?\.go)$").RunsAgainstChanges(changes));

    [Theory]
    [InlineData(new[] { "some random file" }, true)]
    [InlineData(new[] { "./pkg/util/rlimit/rlimit_linux.go" }, true)]
    [InlineData(new[] { "docs/cobragen.go" }, false)]
    [InlineData(new[] { "./docs/cobragen.go" }, true)]
    [InlineData(new[] { "README", "README.md", "OWNERS", "path/to/something.adoc", "path/to/README" }, false)]
    [InlineData(new[] { "README", "README.md", "OWNERS", "path/to/something.adoc", "path/to/README", "foo" }, true)]
    public void RunsAgainstChanges_SkipIfOnlyChanged_ProwsCases(string[] changes, bool expected) =>
        Assert.Equal(expected, Of("skip_if_only_changed", @"^docs/|\.(md|adoc)$|/?(README|OWNERS)$").RunsAgainstChanges(changes));

    [Fact]
    public void GoSyntax_NamedGroup_Accepted() =>
        Assert.True(Of("run_if_changed", @"^(?P<dir>pkg|cmd)/").RunsAgainstChanges(["cmd/kubectl/main.go"]));

    [Fact]
    public void GoSyntax_Backreference_RefusedAsRe2Does()
    {
        var problems = ProwYaml.Problems("""
            postsubmits:
              org/repo:
              - name: x
                spec: {containers: [{image: alpine}]}
                run_if_changed: '(a)\1'
            """);

        Assert.StartsWith(@"config.yaml:5:5: error: invalid regex '(a)\1' in run_if_changed: RegexOptions.NonBacktracking is not supported", Assert.Single(problems), StringComparison.Ordinal);
    }

    [Fact]
    public void None_CouldNotRun()
    {
        Assert.False(ChangeMatcher.None.CouldRun);
        Assert.False(ChangeMatcher.None.RunsAgainstChanges(["a"]));
    }
}
