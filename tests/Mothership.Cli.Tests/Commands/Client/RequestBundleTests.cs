using System.Text.Json.Nodes;
using Mothership.Cli.Commands.Client;

namespace Mothership.Cli.Tests.Commands.Client;

public sealed class RequestBundleTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mship-bundle-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void Format_BodyLines_MapBackToTheFileAndLineTheyCameFrom()
    {
        var first = Path.Combine(_dir.FullName, "a.yaml");
        var second = Path.Combine(_dir.FullName, "b.yaml");
        File.WriteAllText(first, "kind: Task\nmetadata: {name: a}\n");
        File.WriteAllText(second, "kind: Pipeline\nmetadata: {name: b}\nspec:\n  tasks: []");
        var bundle = RequestBundle.Read([first, second])!;

        // The body: a.yaml's 2 lines, a separator, then b.yaml (its 3rd line is the body's 6th).
        var lines = bundle.Format([
            new JsonObject { ["file"] = "body", ["line"] = 2, ["column"] = 11, ["severity"] = "error", ["message"] = "one" },
            new JsonObject { ["file"] = "body", ["line"] = 6, ["column"] = 1, ["severity"] = "error", ["message"] = "two" },
            new JsonObject { ["file"] = "tasks/x", ["line"] = 4, ["column"] = 3, ["severity"] = "error", ["message"] = "stored" },
        ]).ToList();

        Assert.Equal([$"{first}:2:11: error: one", $"{second}:3:1: error: two", "tasks/x:4:3: error: stored"], lines);
        Assert.EndsWith("\n", bundle.Text, StringComparison.Ordinal);
    }
}
