using Mothership.Ci.Jobs;

namespace Mothership.Ci.Tests.Jobs;

/// <summary>When a presubmit runs: Prow's <c>Presubmit.ShouldRun</c>, its cases ported from Prow's jobs_test.go, and more with real file lists.</summary>
public sealed class PresubmitTests
{
    private static Presubmit Job(string fields) => ProwYaml.Presubmit($"""
        name: foo
        spec: {"{containers: [{image: alpine}]}"}
        {fields}
        """);

    public static TheoryData<string, string, string[], bool, bool, bool> Cases => new()
    {
        // Prow's TestPresubmitShouldRun.
        { "skip_branches: [master]", "master", [], false, false, false },
        { "branches: [something]\nalways_run: true", "something", [], false, false, true },
        { "branches: [master]", "release-1.11", [], false, false, false },
        { "skip_branches: [master]\nalways_run: true", "other", [], false, false, true },
        { "always_run: true", "master", [], false, false, true },
        { "always_run: false", "master", [], false, false, false },
        { "run_if_changed: ^file$", "master", ["something"], false, false, false },
        { "skip_if_only_changed: file$", "master", ["onefile", "two-file", "pkg/controller/three_file"], false, false, false },
        { "run_if_changed: ^file$", "master", ["something"], false, true, true },
        { "skip_if_only_changed: file$", "master", ["onefile", "two-file", "pkg/controller/three_file"], false, true, true },
        { "run_if_changed: ^file$", "master", ["file"], false, false, true },
        { "skip_if_only_changed: file$", "master", ["onefile", "two-file", "pkg/controller/three_file.go"], false, false, true },

        // Forced (/test foo): any job the branch allows, whatever changed.
        { "run_if_changed: ^docs/", "main", ["pkg/kubelet/kubelet.go"], true, false, true },
        { "branches: [release-1.30]", "main", [], true, true, false },

        // A job with neither always_run nor a changes regex waits for a comment.
        { "", "main", ["pkg/kubelet/kubelet.go"], false, false, false },
        { "", "main", ["pkg/kubelet/kubelet.go"], false, true, true },

        // Real-looking pull requests.
        { @"run_if_changed: ^(cmd|pkg)/.*\.go$", "main", ["README.md", "pkg/scheduler/framework/plugins/noderesources/fit.go"], false, false, true },
        { @"run_if_changed: ^(cmd|pkg)/.*\.go$", "main", ["README.md", "docs/proposals/scheduling.md", "hack/verify-gofmt.sh"], false, false, false },
        { @"skip_if_only_changed: ^docs/|\.(md|adoc)$|(^|/)(OWNERS|OWNERS_ALIASES)$", "main", ["docs/book/src/intro.md", "pkg/OWNERS", "README.md"], false, false, false },
        { @"skip_if_only_changed: ^docs/|\.(md|adoc)$|(^|/)(OWNERS|OWNERS_ALIASES)$", "main", ["docs/book/src/intro.md", "Makefile"], false, false, true },

        // No changes at all: nothing matches, nothing fails to match.
        { "skip_if_only_changed: ^docs/", "main", [], false, false, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ShouldRun_ProwsCases(string fields, string branch, string[] changes, bool forced, bool defaults, bool expected) =>
        Assert.Equal(expected, Job(fields).ShouldRun(branch, changes, forced, defaults));

    [Fact]
    public void ShouldRun_AlwaysRunOrForced_ChangedFilesNotFetched()
    {
        var calls = 0;
        IReadOnlyList<string> Files()
        {
            calls++;
            return ["a.go"];
        }

        Assert.True(Job("always_run: true").ShouldRun("main", Files, forced: false, defaults: false));
        Assert.True(Job("run_if_changed: ^docs/").ShouldRun("main", Files, forced: true, defaults: false));
        Assert.False(Job("").ShouldRun("main", Files, forced: false, defaults: false));
        Assert.Equal(0, calls);
        Assert.True(Job("run_if_changed: \\.go$").ShouldRun("main", Files, forced: false, defaults: false));
        Assert.Equal(1, calls);
    }

    [Theory]
    [InlineData("always_run: true", false, false)]
    [InlineData("run_if_changed: ^pkg/", false, true)]
    [InlineData("skip_if_only_changed: ^docs/", false, true)]
    [InlineData("", true, true)]
    public void NeedsExplicitTrigger_TriggersConditionally(string fields, bool explicitTrigger, bool conditionally)
    {
        var job = Job(fields);

        Assert.Equal(explicitTrigger, job.NeedsExplicitTrigger);
        Assert.Equal(conditionally, job.TriggersConditionally);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("optional: true", false)]
    [InlineData("skip_report: true", false)]
    public void ContextRequired_OptionalOrSkipReport_NotRequired(string fields, bool expected) =>
        Assert.Equal(expected, Job(fields).ContextRequired);
}
