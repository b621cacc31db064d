using Mothership.Ci.Flakes;
using Mothership.Ci.Reporting;
using Mothership.Store;

namespace Mothership.Ci.Tests.Flakes;

public sealed class FlakeLedgerTests
{
    private static readonly DateTimeOffset Monday = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

    private static JobResult Result(string job, string sha, string state, int minutes, bool optional = false, int pull = 7, string type = "presubmit") => new()
    {
        Uid = Guid.NewGuid().ToString(), RunKind = "TaskRun", RunName = $"{job}-{sha}-{minutes}", Job = job, Type = type, Repository = "octo/hello",
        Pull = pull, Sha = sha, Context = job, Optional = optional, State = state, Done = true,
        CreatedAt = Monday.AddMinutes(minutes), UpdatedAt = Monday.AddMinutes(minutes),
    };

    [Fact]
    public void Find_FailedThenPassedOnTheSameCommit_IsOneFlake()
    {
        var flakes = FlakeLedger.Find(
        [
            Result("unit", "a1", JobStates.Failure, 0),
            Result("unit", "a1", JobStates.Error, 5),
            Result("unit", "a1", JobStates.Success, 10),
            Result("unit", "a1", JobStates.Success, 20),
        ]);

        var flake = Assert.Single(flakes);
        Assert.Equal(("unit", "a1", "unit-a1-0", Monday.AddMinutes(10), "2026-W49"), (flake.Job, flake.Sha, flake.FailedRun, flake.PassedAt, flake.Week));
    }

    [Fact]
    public void Find_NotFlakes_AreLeftOut()
    {
        var flakes = FlakeLedger.Find(
        [
            // Passed then failed: a regression or a later flake that never passed again.
            Result("unit", "a1", JobStates.Success, 0),
            Result("unit", "a1", JobStates.Failure, 5),
            // Failed on one commit, passed on the next: the code changed.
            Result("lint", "a1", JobStates.Failure, 0),
            Result("lint", "b2", JobStates.Success, 5),
            // Aborted then passed: nothing learnt.
            Result("e2e", "a1", JobStates.Aborted, 0),
            Result("e2e", "a1", JobStates.Success, 5),
            // Optional jobs and postsubmits do not count.
            Result("docs", "a1", JobStates.Failure, 0, optional: true),
            Result("docs", "a1", JobStates.Success, 5, optional: true),
            Result("publish", "a1", JobStates.Failure, 0, type: "postsubmit"),
            Result("publish", "a1", JobStates.Success, 5, type: "postsubmit"),
        ]);

        Assert.Empty(flakes);
    }

    [Fact]
    public void Count_ByJobAndWeek_NewestWeekFirstThenMostFlaky()
    {
        var flakes = FlakeLedger.Find(
        [
            Result("unit", "a1", JobStates.Failure, 0), Result("unit", "a1", JobStates.Success, 1),
            Result("unit", "b2", JobStates.Failure, 2, pull: 8), Result("unit", "b2", JobStates.Success, 3, pull: 8),
            Result("lint", "c3", JobStates.Failure, 4), Result("lint", "c3", JobStates.Success, 5),
            Result("lint", "d4", JobStates.Failure, -3 * 24 * 60), Result("lint", "d4", JobStates.Success, (-3 * 24 * 60) + 1),
        ]);

        Assert.Equal(
            [new FlakeCount("octo/hello", "unit", "2026-W49", 2), new FlakeCount("octo/hello", "lint", "2026-W49", 1), new FlakeCount("octo/hello", "lint", "2026-W48", 1)],
            FlakeLedger.Count(flakes));
    }

    [Theory]
    [InlineData("2026-12-28T00:00:00Z", "2026-W53")]
    [InlineData("2027-01-01T12:00:00Z", "2026-W53")]
    [InlineData("2027-01-04T00:00:00Z", "2027-W01")]
    [InlineData("2026-11-30T00:30:00+02:00", "2026-W48")]
    public void Week_IsoWeekInUtc(string at, string week) =>
        Assert.Equal(week, FlakeLedger.Week(DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture)));
}
