using System.Text;
using Mothership.Executors.Local.Processes;

namespace Mothership.Executors.Local.Tests.Processes;

/// <summary>Lines cut from a pipe's reads, whatever their sizes, exactly as <see cref="StreamReader"/> cut them before.</summary>
public sealed class LineSplitterTests
{
    [Theory]
    [InlineData("a\nb\n")]
    [InlineData("a\r\nb\rc")]
    [InlineData("\n\n\r\r\n")]
    [InlineData("no ending")]
    [InlineData("\uFEFFbom first\nthen")]
    [InlineData("caf\u00e9 \U0001F680\n\u00e9")]
    [InlineData("")]
    public void Take_EverySplitPoint_SameLinesAsStreamReader(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var expected = StreamReaderLines(bytes);
        for (var cut = 0; cut <= bytes.Length; cut++)
        {
            var lines = new List<string>();
            var splitter = new LineSplitter(lines.Add);
            splitter.Take(bytes.AsSpan(0, cut));
            splitter.Take(bytes.AsSpan(cut));
            splitter.Finish();

            Assert.Equal(expected, lines);
        }
    }

    [Fact]
    public void Take_RandomBytesInRandomReads_SameLinesAsStreamReader()
    {
        var random = new Random(19);
        byte[] alphabet = [(byte)'a', (byte)'\n', (byte)'\r', 0xC3, 0xA9, 0xF0, 0x9F, 0x9A, 0x80, 0xEF, 0xBB, 0xBF, 0xFF];
        for (var round = 0; round < 2000; round++)
        {
            var bytes = new byte[random.Next(0, 40)];
            for (var i = 0; i < bytes.Length; i++)
            {
                bytes[i] = alphabet[random.Next(alphabet.Length)];
            }

            var lines = new List<string>();
            var splitter = new LineSplitter(lines.Add);
            for (var at = 0; at < bytes.Length;)
            {
                var size = random.Next(1, 6);
                splitter.Take(bytes.AsSpan(at, Math.Min(size, bytes.Length - at)));
                at += size;
            }

            splitter.Finish();

            Assert.Equal(StreamReaderLines(bytes), lines);
        }
    }

    [Fact]
    public void Take_LineLongerThanAnyRead_OneLine()
    {
        var line = new string('x', 200_000);
        var lines = new List<string>();
        var splitter = new LineSplitter(lines.Add);
        var bytes = Encoding.ASCII.GetBytes(line + "\n");
        for (var at = 0; at < bytes.Length; at += 4096)
        {
            splitter.Take(bytes.AsSpan(at, Math.Min(4096, bytes.Length - at)));
        }

        splitter.Finish();

        Assert.Equal(line, Assert.Single(lines));
    }

    /// <summary>What the pump before the event loop gave: StreamReader with UTF-8, no BOM detection.</summary>
    private static List<string> StreamReaderLines(byte[] bytes)
    {
        using var reader = new StreamReader(new MemoryStream(bytes), Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 4096);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        return lines;
    }
}
