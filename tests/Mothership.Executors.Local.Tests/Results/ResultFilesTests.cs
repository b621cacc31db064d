using Mothership.Executors.Local.Results;

namespace Mothership.Executors.Local.Tests.Results;

public sealed class ResultFilesTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private void Write(string name, string text) => File.WriteAllText(_dir.Combine(name), text);

    [Fact]
    public void Read_StringResult_KeptByteForByte()
    {
        Write("greeting", "hello\n");

        var results = ResultFiles.Read(_dir.Path, ["greeting"]);

        Assert.Equal("hello\n", results["greeting"]);
    }

    [Fact]
    public void Read_UnwrittenAndUnnamed_OnlyNamedWrittenOnes()
    {
        Write("b", "2");
        Write("a", "1");
        Write("stray", "not asked for");

        var results = ResultFiles.Read(_dir.Path, ["b", "missing", "a"]);

        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" }, results);
    }

    [Fact]
    public void Read_Utf8Text_ReadAsWritten()
    {
        File.WriteAllBytes(_dir.Combine("name"), "Grüße ✓"u8.ToArray());

        Assert.Equal("Grüße ✓", ResultFiles.Read(_dir.Path, ["name"])["name"]);
    }
}
