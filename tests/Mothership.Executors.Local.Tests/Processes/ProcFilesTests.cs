using System.Text;
using Mothership.Executors.Local.Processes;

namespace Mothership.Executors.Local.Tests.Processes;

public class ProcFilesTests
{
    [Fact]
    public void Read_OwnEnvironLongerThanOneBuffer_WholeFile()
    {
        // More than the first 4 KiB buffer: the reader must grow and keep reading to end of file.
        var expected = File.ReadAllBytes("/proc/self/environ");

        var bytes = ProcFiles.Read("/proc/self/environ");

        Assert.NotNull(bytes);
        Assert.Contains("PATH=", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        Assert.Equal(expected.Length, bytes.Length);
    }

    [Fact]
    public void Read_LargeRegularFile_WholeFile()
    {
        using var dir = new TempDirectory();
        var file = dir.Combine("big");
        var content = Enumerable.Range(0, 20_000).Select(i => (byte)(i % 251)).ToArray();
        File.WriteAllBytes(file, content);

        Assert.Equal(content, ProcFiles.Read(file));
    }

    [Fact]
    public void Read_MissingFile_Null()
    {
        Assert.Null(ProcFiles.Read("/proc/999999999/environ"));
    }

    [Fact]
    public void ReadInt_PidMax_ThePositiveNumberTheFileHolds()
    {
        var expected = int.Parse(File.ReadAllText("/proc/sys/kernel/pid_max").Trim(), System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(expected, ProcFiles.ReadInt("/proc/sys/kernel/pid_max"));
    }
}
