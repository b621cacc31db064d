using Mothership.Ci.Jobs;

namespace Mothership.Ci.Tests.Jobs;

/// <summary>When a postsubmit runs: Prow's <c>Postsubmit.ShouldRun</c>, its cases ported from Prow's jobs_test.go.</summary>
public sealed class PostsubmitTests
{
    private static Postsubmit Job(string fields) => ProwYaml.Postsubmit($"""
        name: foo
        spec: {"{containers: [{image: alpine}]}"}
        {fields}
        """);

    public static TheoryData<string, string, string[], bool> Cases => new()
    {
        { "skip_branches: [master]", "master", [], false },
        { "branches: [something]", "something", [], true },
        { "branches: [master]", "release-1.11", [], false },
        { "skip_branches: [master]", "other", [], true },
        { "", "master", [], true },
        { "run_if_changed: ^file$", "master", ["something"], false },
        { "skip_if_only_changed: file$", "master", ["onefile", "two-file", "pkg/controller/three_file"], false },
        { "run_if_changed: ^file$", "master", ["file"], true },
        { "skip_if_only_changed: file$", "master", ["onefile", "two-file", "pkg/controller/three_file.go"], true },
        { "always_run: true", "master", [], true },
        { "always_run: false", "master", ["file"], false },
        { "always_run: false\nrun_if_changed: ^file$", "master", ["file"], true },
        { "always_run: false\nskip_if_only_changed: ^docs/", "master", ["docs/a.md"], false },
        { "always_run: true\nbranches: [^release-.*$]", "main", [], false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ShouldRun_ProwsCases(string fields, string branch, string[] changes, bool expected) =>
        Assert.Equal(expected, Job(fields).ShouldRun(branch, changes));

    [Fact]
    public void AlwaysRun_AsWritten()
    {
        Assert.Null(Job("").AlwaysRun);
        Assert.False(Job("always_run: false").AlwaysRun);
        Assert.True(Job("always_run: true").AlwaysRun);
    }
}
