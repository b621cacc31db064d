using Mothership.Executors.Local.Processes;

namespace Mothership.Executors.Local.Tests.Processes;

public class PidWindowTests
{
    [Theory]
    [InlineData(100, 200, 100, false)]
    [InlineData(100, 200, 101, true)]
    [InlineData(100, 200, 200, true)]
    [InlineData(100, 200, 201, false)]
    [InlineData(32700, 50, 32760, true)] // wrapped at pid_max
    [InlineData(32700, 50, 20, true)]
    [InlineData(32700, 50, 60, false)]
    [InlineData(32700, 50, 32700, false)]
    public void Contains_IdsHandedOutSinceItOpened(int first, int last, int pid, bool expected)
    {
        Assert.Equal(expected, new PidWindow(first, last).Contains(pid));
    }

    [Fact]
    public void Open_ThenAProcessStarts_ItsIdIsInTheExtendedWindowOnly()
    {
        var window = PidWindow.Open();
        using var process = System.Diagnostics.Process.Start("true");
        process.WaitForExit();

        Assert.False(window.Contains(process.Id));
        Assert.True(window.Extended().Contains(process.Id));
    }

    [Fact]
    public void All_ContainsEveryId()
    {
        Assert.True(PidWindow.All.Contains(1));
        Assert.True(PidWindow.All.Extended().Contains(int.MaxValue));
    }

    [Fact]
    public void Ids_NarrowWindow_EveryIdOldestFirst()
    {
        Assert.Equal([101, 102, 103, 104, 105], new PidWindow(100, 105).Ids(10));
        Assert.Empty(new PidWindow(100, 100).Ids(10)!);
    }

    [Fact]
    public void Ids_WrappedAtPidMax_TheIdsAboveFirstThenFromOne()
    {
        var max = int.Parse(File.ReadAllText("/proc/sys/kernel/pid_max").Trim(), System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal([max - 2, max - 1, 1, 2], new PidWindow(max - 3, 2).Ids(10));
    }

    [Fact]
    public void Ids_WiderThanTheLimitOrAll_NullForAListingOfProc()
    {
        Assert.Null(new PidWindow(100, 400).Ids(256));
        Assert.Null(PidWindow.All.Ids(int.MaxValue));
    }
}
