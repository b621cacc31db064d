using Mothership.Cloud.Rollouts;

namespace Mothership.Cloud.Tests.Rollouts;

public sealed class RolloutPolicyReaderTests
{
    [Fact]
    public void Read_FullPolicy_ReadsEveryField()
    {
        var policy = RolloutYaml.Policy(
            "          canary: {perRegion: 1}\n" +
            "          waves: {by: region, order: [us, kr]}\n" +
            "          maxParallelSites: 20\n" +
            "          failureBudget: 2%\n" +
            "          bake: {duration: 30m, pipeline: health-check}\n" +
            "          gates: [{before: wave-1, approvers: [sre-leads, release-managers]}, {before: each, approvers: sre}]\n" +
            "          windows:\n" +
            "            timeZone: Asia/Seoul\n" +
            "            allow: [{days: [Mon..Fri], hours: \"09:00-17:00\"}, {days: [Sat], hours: \"22:00-06:00\"}]\n" +
            "            freeze: [2026-12-24, 2026-12-31..2027-01-02]\n");

        Assert.Equal("prod", policy.Environment);
        Assert.Equal(1, policy.Canary!.PerRegion);
        Assert.True(policy.Waves.ByRegion);
        Assert.Equal(["us", "kr"], policy.Waves.RegionOrder);
        Assert.Equal(20, policy.MaxParallelSites);
        Assert.True(policy.HaltOnFailure);
        Assert.Equal(2m, policy.FailureBudget!.Percent);
        Assert.Equal(20, policy.AllowedFailures(1000));
        Assert.Equal(TimeSpan.FromMinutes(30), policy.Bake!.Duration);
        Assert.Equal("health-check", policy.Bake.Pipeline);
        Assert.Equal(["sre-leads", "release-managers"], policy.Gates[0].Approvers);
        Assert.Equal(["sre"], policy.Gates[1].Approvers);
        Assert.Equal("Asia/Seoul", policy.Windows!.TimeZone.Id);
        Assert.Equal([DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday], policy.Windows.Allow[0].Days);
        Assert.Equal((TimeSpan.FromHours(22), TimeSpan.FromHours(6)), (policy.Windows.Allow[1].Start, policy.Windows.Allow[1].End));
        Assert.Equal(new DateOnly(2027, 1, 2), policy.Windows.Freeze[1].Last);
    }

    [Fact]
    public void Read_Defaults_HaltOnFirstFailureWholeWaveAtOnce()
    {
        var policy = RolloutYaml.Policy("          waves: [{sites: [kr-*]}, {sites: [us-01, us-0?]}]\n");

        Assert.Null(policy.Canary);
        Assert.Null(policy.MaxParallelSites);
        Assert.True(policy.HaltOnFailure);
        Assert.Equal(0, policy.AllowedFailures(1000));
        Assert.Equal(["kr-*"], policy.Waves.Lists[0].Sites);
        Assert.Null(policy.Windows);
        Assert.Equal(int.MaxValue, RolloutYaml.Policy("          haltOnFailure: false\n").AllowedFailures(10));
        Assert.Equal(3, RolloutYaml.Policy("          failureBudget: 3\n").AllowedFailures(10));
    }

    [Theory]
    [InlineData("          maxParallelSites: 0\n", "repo/cloud.yaml:13:11: error: field 'spec.promotion.environments[1].rollout.maxParallelSites': 0 must be at least 1")]
    [InlineData("          failureBudget: lots\n", "repo/cloud.yaml:13:11: error: field 'spec.promotion.environments[1].rollout.failureBudget': 'lots' is neither a count of sites (3) nor a percentage of them (2%)")]
    [InlineData("          haltOnFailure: false\n          failureBudget: 3\n", "repo/cloud.yaml:14:11: error: field 'spec.promotion.environments[1].rollout.failureBudget': a budget needs haltOnFailure: true (with haltOnFailure: false no failure halts the rollout)")]
    [InlineData("          canary: {sites: [kr-01], perRegion: 1}\n", "repo/cloud.yaml:13:19: error: field 'spec.promotion.environments[1].rollout.canary': give either sites: [NAME…] or perRegion: N")]
    [InlineData("          canary: {sites: [KR_01]}\n", "repo/cloud.yaml:13:28: error: field 'spec.promotion.environments[1].rollout.canary.sites[0]': 'KR_01' is not a site name or glob (lower-case letters, digits, '-', '*', '?')")]
    [InlineData("          waves: {by: zone}\n", "repo/cloud.yaml:13:19: error: field 'spec.promotion.environments[1].rollout.waves.by': 'zone' must be region (or write waves as a list of {sites: [NAME|GLOB…]})")]
    [InlineData("          bake: {duration: soon}\n", "repo/cloud.yaml:13:18: error: field 'spec.promotion.environments[1].rollout.bake.duration': 'soon' is not a duration such as 15m or 1h")]
    [InlineData("          bake: {pipeline: ../../etc/check.yaml}\n", "repo/cloud.yaml:13:18: error: field 'spec.promotion.environments[1].rollout.bake.pipeline': '../../etc/check.yaml' must be a Pipeline's name (lower-case letters, digits, '-') or a relative .yaml path inside the site repository")]
    [InlineData("          gates: [{before: wave-0, approvers: sre}]\n", "repo/cloud.yaml:13:20: error: field 'spec.promotion.environments[1].rollout.gates[0].before': 'wave-0' must be canary, wave-N (N from 1) or each")]
    [InlineData("          gates: [{before: canary}]\n", "repo/cloud.yaml:13:19: error: field 'spec.promotion.environments[1].rollout.gates[0].approvers': name the role (or roles) whose holders approve")]
    [InlineData("          windows: {timeZone: Mars/Olympus}\n", "repo/cloud.yaml:13:21: error: field 'spec.promotion.environments[1].rollout.windows.timeZone': 'Mars/Olympus' is not a time zone this machine knows (an IANA id such as Asia/Seoul, Europe/Berlin or UTC)")]
    [InlineData("          windows: {allow: [{days: [Mon..Fry]}]}\n", "repo/cloud.yaml:13:37: error: field 'spec.promotion.environments[1].rollout.windows.allow[0].days[0]': 'Mon..Fry' is not a day (Mon … Sun) or a range of days (Mon..Fri)")]
    [InlineData("          windows: {allow: [{hours: \"9-17\"}]}\n", "repo/cloud.yaml:13:30: error: field 'spec.promotion.environments[1].rollout.windows.allow[0].hours': '9-17' is not a range of hours such as \"09:00-17:00\" (24:00 for midnight; 22:00-06:00 runs past midnight)")]
    [InlineData("          windows: {freeze: [2026-12-31..2026-12-24]}\n", "repo/cloud.yaml:13:30: error: field 'spec.promotion.environments[1].rollout.windows.freeze[0]': '2026-12-31..2026-12-24' ends before it starts")]
    [InlineData("          windows: {freeze: [christmas]}\n", "repo/cloud.yaml:13:30: error: field 'spec.promotion.environments[1].rollout.windows.freeze[0]': 'christmas' is not a day (2026-12-24) or days (2026-12-31..2027-01-02)")]
    [InlineData("          canaries: 1\n", "repo/cloud.yaml:13:11: error: unknown field 'spec.promotion.environments[1].rollout.canaries'")]
    public void Read_BadRollout_NamesFileLineColumnAndField(string rollout, string expected)
    {
        var (catalog, diagnostics) = RolloutYaml.Load(rollout);

        Assert.Null(catalog);
        Assert.Equal(expected, Assert.Single(diagnostics).ToString());
    }
}
