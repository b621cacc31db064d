using Microsoft.Extensions.Time.Testing;
using Mothership.Ci.Jobs;

namespace Mothership.Ci.Tests.Jobs;

/// <summary>When a periodic next starts, from a fixed clock.</summary>
public sealed class PeriodicTests
{
    private static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 3, 14, 15, 9, 26, TimeSpan.Zero));

    private static Periodic Job(string schedule) => ProwYaml.Periodic($"""
        name: ci-job
        {schedule}
        spec: {"{containers: [{image: alpine}]}"}
        """);

    [Theory]
    [InlineData("interval: 2h", "2026-03-14T17:09:26+00:00")]
    [InlineData("interval: 1h30m", "2026-03-14T16:39:26+00:00")]
    [InlineData("minimum_interval: 45m", "2026-03-14T15:54:26+00:00")]
    [InlineData("cron: '0 3 * * *'", "2026-03-15T03:00:00+00:00")]
    [InlineData("cron: '*/15 * * * *'", "2026-03-14T15:15:00+00:00")]
    [InlineData("cron: '30 6 * * 1-5'", "2026-03-16T06:30:00+00:00")]
    [InlineData("cron: '0 0 1 * *'", "2026-04-01T00:00:00+00:00")]
    [InlineData("cron: '@daily'", "2026-03-15T00:00:00+00:00")]
    [InlineData("cron: '30 0 6 * * *'", "2026-03-15T06:00:30+00:00")]
    public void NextAfter_FixedClock(string schedule, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), Job(schedule).NextAfter(Clock.GetUtcNow()));

    [Fact]
    public void NextAfter_CronOnTheMinute_StrictlyAfter()
    {
        var job = Job("cron: '0 3 * * *'");
        var three = new DateTimeOffset(2026, 3, 14, 3, 0, 0, TimeSpan.Zero);

        Assert.Equal(three.AddDays(1), job.NextAfter(three));
    }

    [Fact]
    public void NextAfter_CronInAnotherOffset_UtcInstants()
    {
        var job = Job("cron: '0 3 * * *'");

        Assert.Equal(new DateTimeOffset(2026, 3, 15, 3, 0, 0, TimeSpan.Zero), job.NextAfter(new DateTimeOffset(2026, 3, 15, 3, 30, 0, TimeSpan.FromHours(9))));
    }

    [Fact]
    public void NextAfter_CronThatNeverFires_Null() => Assert.Null(Job("cron: '0 0 30 2 *'").NextAfter(Clock.GetUtcNow()));

    [Fact]
    public void Parse_EveryMacro_ErrorSuggestingInterval() =>
        Assert.Equal(
            ["config.yaml:3:3: error: cron '@every 2h': @every is not supported; use interval: 2h instead"],
            ProwYaml.Problems("periodics:\n- name: x\n  cron: '@every 2h'\n  spec: {containers: [{image: alpine}]}\n"));

    [Fact]
    public void Parse_ZeroInterval_Error() =>
        Assert.Equal(
            ["config.yaml:3:3: error: interval '0s' must be longer than zero"],
            ProwYaml.Problems("periodics:\n- name: x\n  interval: 0s\n  spec: {containers: [{image: alpine}]}\n"));

    [Fact]
    public void Parse_ExtraRefsWithoutRepository_ErrorAtTheField() =>
        Assert.Equal(
            ["config.yaml:4:3: error: job 'x': extra_refs[0] has no repo, base_ref: write the repository (org, repo) and the branch (base_ref) to check out"],
            ProwYaml.Problems("periodics:\n- name: x\n  interval: 1h\n  extra_refs: [{org: o}]\n  spec: {containers: [{image: alpine}]}\n"));
}
