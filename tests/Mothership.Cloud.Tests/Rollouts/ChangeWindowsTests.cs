using Mothership.Cloud.Rollouts;

namespace Mothership.Cloud.Tests.Rollouts;

public sealed class ChangeWindowsTests
{
    private static ChangeWindows Windows(string yaml) => RolloutYaml.Policy($"          windows:\n{yaml}").Windows!;

    private const string SeoulOfficeHours =
        "            timeZone: Asia/Seoul\n" +
        "            allow: [{days: [Mon..Fri], hours: \"09:00-17:00\"}]\n" +
        "            freeze: [2026-12-24, 2026-12-31..2027-01-02]\n";

    [Theory]
    // Seoul is UTC+9 all year: 09:00 KST is 00:00Z.
    [InlineData("2026-12-07T00:00:00Z", true)]   // Monday 09:00 KST: opens
    [InlineData("2026-12-06T23:59:59Z", false)]  // Monday 08:59:59 KST
    [InlineData("2026-12-07T07:59:59Z", true)]   // Monday 16:59:59 KST
    [InlineData("2026-12-07T08:00:00Z", false)]  // Monday 17:00 KST: the end is excluded
    [InlineData("2026-12-05T03:00:00Z", false)]  // Saturday noon KST
    [InlineData("2026-12-24T03:00:00Z", false)]  // Thursday noon, a freeze day
    [InlineData("2027-01-01T03:00:00Z", false)]  // inside the freeze range
    [InlineData("2027-01-04T03:00:00Z", true)]   // Monday after it
    public void IsOpen_WeekdayHoursAndFreezeInSeoul_FollowsTheLocalCalendar(string instant, bool open)
    {
        Assert.Equal(open, Windows(SeoulOfficeHours).IsOpen(DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData("2026-12-07T03:00:00Z", "2026-12-07T03:00:00Z")] // open now: now
    [InlineData("2026-12-05T03:00:00Z", "2026-12-07T00:00:00Z")] // Saturday → Monday 09:00 KST
    [InlineData("2026-12-07T08:00:00Z", "2026-12-08T00:00:00Z")] // Monday after hours → Tuesday 09:00
    [InlineData("2026-12-23T09:00:00Z", "2026-12-25T00:00:00Z")] // after Wednesday's hours: Thursday is frozen → Friday
    [InlineData("2026-12-30T09:00:00Z", "2027-01-04T00:00:00Z")] // freeze to Saturday, then the weekend → Monday
    public void NextOpening_ClosedOrOpen_IsTheFirstOpenInstant(string instant, string expected)
    {
        var at = DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), Windows(SeoulOfficeHours).NextOpening(at));
    }

    [Fact]
    public void NextOpening_StartInTheSpringForwardGap_OpensWhenTheClocksJump()
    {
        // Berlin, Sunday 2027-03-28: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist that day.
        var windows = Windows("            timeZone: Europe/Berlin\n            allow: [{days: [Sun], hours: \"02:30-04:00\"}]\n");

        var opens = windows.NextOpening(DateTimeOffset.Parse("2027-03-27T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(DateTimeOffset.Parse("2027-03-28T01:00:00Z", System.Globalization.CultureInfo.InvariantCulture), opens); // 03:00 CEST
    }

    [Fact]
    public void NextOpening_StartInTheRepeatedHourOfFallBack_TakesTheFirstOccurrence()
    {
        // Berlin, Sunday 2026-10-25: 03:00 CEST falls back to 02:00 CET; 02:30 happens twice.
        var windows = Windows("            timeZone: Europe/Berlin\n            allow: [{days: [Sun], hours: \"02:30-04:00\"}]\n");

        var opens = windows.NextOpening(DateTimeOffset.Parse("2026-10-24T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(DateTimeOffset.Parse("2026-10-25T00:30:00Z", System.Globalization.CultureInfo.InvariantCulture), opens); // 02:30 CEST
        Assert.True(windows.IsOpen(DateTimeOffset.Parse("2026-10-25T02:45:00Z", System.Globalization.CultureInfo.InvariantCulture))); // 03:45 CET, still inside
        Assert.False(windows.IsOpen(DateTimeOffset.Parse("2026-10-25T03:00:00Z", System.Globalization.CultureInfo.InvariantCulture))); // 04:00 CET
    }

    [Fact]
    public void NextOpening_DaylightSavingZone_KeepsTheWallClockAcrossTheChange()
    {
        // New York office hours: 09:00 EDT is 13:00Z before 2026-11-01, 09:00 EST 14:00Z after.
        var windows = Windows("            timeZone: America/New_York\n            allow: [{days: [Mon..Fri], hours: \"09:00-17:00\"}]\n");

        Assert.Equal(DateTimeOffset.Parse("2026-10-30T13:00:00Z", System.Globalization.CultureInfo.InvariantCulture), windows.NextOpening(DateTimeOffset.Parse("2026-10-30T05:00:00Z", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(DateTimeOffset.Parse("2026-11-02T14:00:00Z", System.Globalization.CultureInfo.InvariantCulture), windows.NextOpening(DateTimeOffset.Parse("2026-10-30T22:00:00Z", System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void IsOpen_OvernightRange_BelongsToTheDayItStarts()
    {
        var windows = Windows("            allow: [{days: [Fri], hours: \"22:00-06:00\"}]\n");

        Assert.True(windows.IsOpen(DateTimeOffset.Parse("2026-12-04T23:00:00Z", System.Globalization.CultureInfo.InvariantCulture)));  // Friday 23:00
        Assert.True(windows.IsOpen(DateTimeOffset.Parse("2026-12-05T05:59:00Z", System.Globalization.CultureInfo.InvariantCulture)));  // Saturday 05:59
        Assert.False(windows.IsOpen(DateTimeOffset.Parse("2026-12-05T23:00:00Z", System.Globalization.CultureInfo.InvariantCulture))); // Saturday 23:00
        Assert.False(windows.IsOpen(DateTimeOffset.Parse("2026-12-04T05:00:00Z", System.Globalization.CultureInfo.InvariantCulture))); // Friday 05:00: Thursday has no range
    }

    [Fact]
    public void NextOpening_FrozenForever_IsNull()
    {
        var windows = Windows("            freeze: [2026-01-01..2030-12-31]\n");

        Assert.Null(windows.NextOpening(DateTimeOffset.Parse("2026-12-06T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void NextOpening_FreezeEndsMidRange_OpensAtMidnight()
    {
        var windows = Windows("            allow: [{hours: \"00:00-24:00\"}]\n            freeze: [2026-12-24]\n");

        Assert.Equal(DateTimeOffset.Parse("2026-12-25T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture), windows.NextOpening(DateTimeOffset.Parse("2026-12-24T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture)));
    }
}
