using Mothership.Ci.Forge;
using Mothership.Ci.Reporting;

namespace Mothership.Ci.Tests.Reporting;

public sealed class LogAnnotationsTests
{
    [Fact]
    public void Parse_CompilerErrorLines_FileLineColumnAndMessage()
    {
        string[] log =
        [
            "go vet ./...",
            "./pkg/server/main.go:12:5: error: undefined: handler",
            "src/lib.c:40: error: expected ';' before '}' token",
            "/workspace/source/cmd/app.go:7:1: fatal error: no such file",
            "src/lib.c:41:2: warning: unused variable 'x'",
            "\u001b[31msrc/x.ts:3:9: error: Cannot find name 'y'.\u001b[0m",
            "make: *** [all] Error 2",
        ];

        var annotations = LogAnnotations.Parse(log);

        Assert.Equal(
            [
                new CheckAnnotation("pkg/server/main.go", 12, 5, "undefined: handler"),
                new CheckAnnotation("src/lib.c", 40, null, "expected ';' before '}' token"),
                new CheckAnnotation("cmd/app.go", 7, 1, "no such file"),
                new CheckAnnotation("src/x.ts", 3, 9, "Cannot find name 'y'."),
            ],
            annotations);
    }

    [Theory]
    [InlineData("/home/ci/.mothership/runs/u/a/volumes/ws-source/src/a.go", "src/a.go")]
    [InlineData("/srv/runs/claims/source/src/a.go", "src/a.go")]
    [InlineData("/workspace/source/source/a.go", "source/a.go")]
    [InlineData("/usr/include/stdio.h", null)]
    [InlineData("../outside.go", null)]
    [InlineData("./a.go", "a.go")]
    public void RelativePath_ToTheCheckout_OrNullOutsideIt(string path, string? expected) =>
        Assert.Equal(expected, LogAnnotations.RelativePath(path));

    [Fact]
    public void Parse_MoreThanGitHubTakes_First50Distinct()
    {
        var log = Enumerable.Range(1, 80).Select(i => $"a.go:{i}:1: error: e{i}").Prepend("a.go:1:1: error: e1");

        var annotations = LogAnnotations.Parse(log);

        Assert.Equal(CheckRunOutput.MaxAnnotations, annotations.Count);
        Assert.Equal(Enumerable.Range(1, 50), annotations.Select(a => a.Line));
    }
}
