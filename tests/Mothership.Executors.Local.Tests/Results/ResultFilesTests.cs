using Mothership.Engine.Execution;
using Mothership.Executors.Local.Results;
using Mothership.Model.Tekton;

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

        var results = ResultFiles.Read(_dir.Path, [new ResultSpec { Name = "greeting" }], "task \"t\"");

        Assert.Equal([new RunResult("greeting", ParamValue.Of("hello\n"))], results);
    }

    [Fact]
    public void Read_UnwrittenAndUndeclared_OnlyDeclaredWrittenOnesInDeclaredOrder()
    {
        Write("b", "2");
        Write("a", "1");
        Write("stray", "not declared");

        var results = ResultFiles.Read(_dir.Path, [new ResultSpec { Name = "b" }, new ResultSpec { Name = "missing" }, new ResultSpec { Name = "a" }], "t");

        Assert.Equal(["b", "a"], results.Select(r => r.Name));
    }

    [Fact]
    public void Read_TypedResults_ParsedAsDeclared()
    {
        Write("list", """["x", "y"]""");
        Write("map", """{"url": "https://example.org", "digest": "sha256:1"}""");

        var results = ResultFiles.Read(_dir.Path,
            [new ResultSpec { Name = "list", Type = ParamType.Array }, new ResultSpec { Name = "map", Type = ParamType.Object }], "t");

        Assert.Equal(ParamValue.Of(["x", "y"]), results[0].Value);
        Assert.Equal(ParamValue.Of([KeyValuePair.Create("digest", "sha256:1"), KeyValuePair.Create("url", "https://example.org")]), results[1].Value);
    }

    [Fact]
    public void Read_ArrayResultNotAnArray_FailsNamingTheOwnerAndResult()
    {
        Write("list", "plain text");

        var e = Assert.Throws<TaskRunFailure>(() => ResultFiles.Read(_dir.Path, [new ResultSpec { Name = "list", Type = ParamType.Array }], "task \"t\""));

        Assert.Equal("task \"t\" result \"list\" is declared as array but its value is not a JSON array: plain text", e.Message);
    }
}
