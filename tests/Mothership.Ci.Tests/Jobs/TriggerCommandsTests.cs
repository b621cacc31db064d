using Mothership.Ci.Jobs;

namespace Mothership.Ci.Tests.Jobs;

/// <summary>Which presubmits a comment starts, and the <c>/test ?</c> reply, as Prow's trigger plugin decides them.</summary>
public sealed class TriggerCommandsTests
{
    private static readonly Presubmit Unit = Job("name: unit\nalways_run: true");
    private static readonly Presubmit Integration = Job("name: integration\nrun_if_changed: ^(pkg|cmd)/");
    private static readonly Presubmit E2e = Job("name: e2e\noptional: true");
    private static readonly Presubmit Docs = Job("name: docs\nskip_if_only_changed: ^pkg/");
    private static readonly Presubmit Release = Job("name: release-unit\nalways_run: true\nbranches: [^release-]");
    private static readonly Presubmit[] All = [Unit, Integration, E2e, Docs, Release];

    private static Presubmit Job(string fields) => ProwYaml.Presubmit($"""
        {fields}
        spec: {"{containers: [{image: alpine}]}"}
        """);

    [Theory]
    [InlineData("/test unit", true)]
    [InlineData("/test unit,", true)]
    [InlineData("/test unit, e2e", true)]
    [InlineData("/test e2e unit", true)]
    [InlineData("/test e2e unit integration", true)]
    [InlineData("Looks good.\n/test unit\nThanks", true)]
    [InlineData("/test unit   ", true)]
    [InlineData("/test unit-fast", false)]
    [InlineData("/test units", false)]
    [InlineData("/test all", false)]
    [InlineData("/testunit", false)]
    [InlineData(" /test unit", false)]
    [InlineData("please /test unit", false)]
    [InlineData("/retest", false)]
    public void DefaultTrigger_TestName_AsProw(string body, bool expected) =>
        Assert.Equal(expected, Unit.TriggerMatches(body));

    [Fact]
    public void DefaultTrigger_DotsInTheName_Quoted()
    {
        var job = Job("name: pull-kubernetes-e2e-gce-1.30");

        Assert.True(job.TriggerMatches("/test pull-kubernetes-e2e-gce-1.30"));
        Assert.False(job.TriggerMatches("/test pull-kubernetes-e2e-gce-1x30"));
        Assert.Equal("/test pull-kubernetes-e2e-gce-1.30", job.RerunCommand);
    }

    [Theory]
    [InlineData("/test all", true)]
    [InlineData("/test all,", true)]
    [InlineData("/test all please", true)]
    [InlineData("/test allx", false)]
    public void TestAll_Regex(string body, bool expected) => Assert.Equal(expected, TriggerCommands.TestAll.IsMatch(body));

    [Theory]
    [InlineData("/retest", true)]
    [InlineData("/retest  \n", true)]
    [InlineData("/retest unit", false)]
    public void Retest_Regex(string body, bool expected) => Assert.Equal(expected, TriggerCommands.Retest.IsMatch(body));

    [Fact]
    public void Triggered_TestName_ThatJobOnly()
    {
        var started = TriggerCommands.Triggered(All, "/test e2e", "main", ["pkg/a.go"]);

        Assert.Equal(["e2e"], started.Select(j => j.Name));
    }

    [Fact]
    public void Triggered_TestNameOfAJobChangesWouldSkip_ForcedToRun() =>
        Assert.Equal(["integration"], TriggerCommands.Triggered(All, "/test integration", "main", ["README.md"]).Select(j => j.Name));

    [Fact]
    public void Triggered_TestNameOnAnExcludedBranch_Nothing() =>
        Assert.Empty(TriggerCommands.Triggered(All, "/test release-unit", "main", ["pkg/a.go"]));

    [Fact]
    public void Triggered_TestAll_JobsThatWouldRunOnTheirOwn()
    {
        Assert.Equal(["unit", "integration"], TriggerCommands.Triggered(All, "/test all", "main", ["pkg/a.go"]).Select(j => j.Name));
        Assert.Equal(["unit", "docs"], TriggerCommands.Triggered(All, "/test all", "main", ["docs/a.md"]).Select(j => j.Name));
        Assert.Equal(["unit", "docs", "release-unit"], TriggerCommands.Triggered(All, "/test all", "release-1.30", ["README.md"]).Select(j => j.Name));
    }

    [Fact]
    public void Triggered_TestAllAndName_Both() =>
        Assert.Equal(["unit", "e2e", "docs"], TriggerCommands.Triggered(All, "/test all\n/test e2e", "main", ["README.md"]).Select(j => j.Name));

    [Fact]
    public void Triggered_OkToTest_AsTestAllOnlyWhenHonoured()
    {
        Assert.Empty(TriggerCommands.Triggered(All, "/ok-to-test", "main", ["pkg/a.go"]));
        Assert.Equal(["unit", "integration"], TriggerCommands.Triggered(All, "/ok-to-test", "main", ["pkg/a.go"], okToTest: true).Select(j => j.Name));
    }

    [Fact]
    public void Triggered_ChangedFiles_FetchedAtMostOnce()
    {
        var calls = 0;
        IReadOnlyList<string> Files()
        {
            calls++;
            return ["pkg/a.go"];
        }

        TriggerCommands.Triggered(All, "/test all", "main", Files);
        Assert.Equal(1, calls);
        TriggerCommands.Triggered(All, "/test e2e", "main", Files);
        Assert.Equal(1, calls);
    }

    [Fact]
    public void Available_RequiredOptionalAndTestAll()
    {
        var available = TriggerCommands.Available(All, "main", ["pkg/a.go"]);

        Assert.Equal(["integration", "unit"], available.TestAllNames);
        Assert.Equal(["/test docs", "/test integration", "/test unit"], available.RequiredCommands);
        Assert.Equal(["/test e2e"], available.OptionalCommands);
    }

    [Fact]
    public void HelpMessage_ProwsWords()
    {
        var available = TriggerCommands.Available(All, "main", ["pkg/a.go"]);

        Assert.Equal(
            "The following commands are available to trigger required jobs:\n```\n/test docs\n```\n```\n/test integration\n```\n```\n/test unit\n```\n\n" +
            "The following commands are available to trigger optional jobs:\n```\n/test e2e\n```\n\n" +
            "Use `/test all` to run the following jobs that were automatically triggered:\n```\nintegration\n```\n```\nunit\n```\n\n",
            available.HelpMessage("org/repo", "main"));
    }

    [Fact]
    public void HelpMessage_EveryJobRunsWithTestAll_ShortNote()
    {
        var available = TriggerCommands.Available([Unit], "main", []);

        Assert.Equal("The following commands are available to trigger required jobs:\n```\n/test unit\n```\n\nUse `/test all` to run all jobs.\n", available.HelpMessage("org/repo", "main"));
    }

    [Fact]
    public void HelpMessage_NoJobs_SaysSo() =>
        Assert.Equal("No presubmit jobs available for org/repo@main", TriggerCommands.Available([Release], "main", []).HelpMessage("org/repo", "main"));

    [Theory]
    [InlineData("/test ?", 0, true, "")]
    [InlineData("/test", 0, true, TriggerCommands.TestWithoutTargetNote)]
    [InlineData("/retest unit", 0, true, TriggerCommands.RetestWithTargetNote)]
    [InlineData("/test all", 0, true, TriggerCommands.ThereAreNoTestAllJobsNote)]
    [InlineData("/test nosuchjob", 0, true, TriggerCommands.TargetNotFoundNote)]
    [InlineData("/test unit", 1, false, "")]
    [InlineData("lgtm", 0, false, "")]
    public void ShouldRespondWithHelp_AsProw(string body, int triggered, bool respond, string note) =>
        Assert.Equal((respond, note), TriggerCommands.ShouldRespondWithHelp(body, triggered));
}
