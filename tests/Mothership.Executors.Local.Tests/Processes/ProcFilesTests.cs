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

        var buffer = new byte[16];
        var length = ProcFiles.Read("/proc/self/environ", ref buffer);

        Assert.Contains("PATH=", Encoding.UTF8.GetString(buffer, 0, length), StringComparison.Ordinal);
        Assert.Equal(expected, buffer[..length]);
    }

    [Fact]
    public void Read_LargeRegularFile_WholeFile()
    {
        using var dir = new TempDirectory();
        var file = dir.Combine("big");
        var content = Enumerable.Range(0, 20_000).Select(i => (byte)(i % 251)).ToArray();
        File.WriteAllBytes(file, content);

        byte[] buffer = [];
        var length = ProcFiles.Read(file, ref buffer);

        Assert.Equal(content, buffer[..length]);
    }

    [Fact]
    public void Read_SecondFileShorterThanTheFirst_LengthOfTheSecondInTheSameBuffer()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.Combine("long"), new byte[5000]);
        File.WriteAllText(dir.Combine("short"), "abc");
        byte[] buffer = [];

        Assert.Equal(5000, ProcFiles.Read(dir.Combine("long"), ref buffer));
        var kept = buffer;
        Assert.Equal(3, ProcFiles.Read(dir.Combine("short"), ref buffer));
        Assert.Same(kept, buffer);
        Assert.Equal("abc"u8.ToArray(), buffer[..3]);
    }

    [Fact]
    public void Read_MissingFile_MinusOne()
    {
        byte[] buffer = [];
        Assert.Equal(-1, ProcFiles.Read("/proc/999999999/environ", ref buffer));
    }

    [Fact]
    public void ReadInt_PidMax_ThePositiveNumberTheFileHolds()
    {
        var expected = int.Parse(File.ReadAllText("/proc/sys/kernel/pid_max").Trim(), System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(expected, ProcFiles.ReadInt("/proc/sys/kernel/pid_max"));
    }

    [Theory]
    [InlineData("12345\n", 12345)]
    [InlineData(" 7 ", 7)]
    [InlineData("", null)]
    [InlineData("-3", null)]
    [InlineData("x", null)]
    [InlineData("123456789012345678901234567890123", null)] // longer than any number read this way
    public void ReadInt_FileText_TheNumberOrNull(string text, int? expected)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("n"), text);

        Assert.Equal(expected, ProcFiles.ReadInt(dir.Combine("n")));
    }
}
