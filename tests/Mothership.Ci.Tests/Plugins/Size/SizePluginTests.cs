using Mothership.Ci.Plugins;
using Mothership.Ci.Plugins.Size;
using Mothership.Ci.Tests.Triggers;
using Mothership.Testing.GitHub;

namespace Mothership.Ci.Tests.Plugins.Size;

/// <summary>The size plugin through the plugin dispatcher, on the fake GitHub with real payloads.</summary>
public sealed class SizePluginTests
{
    private const string Base = "1111111111111111111111111111111111111111";

    private const string Enabled = """
        plugins:
          Codertocat/Hello-World: [size]
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory(Timeout = 30_000)]
    [InlineData(0, "size/XS")]
    [InlineData(9, "size/XS")]
    [InlineData(10, "size/S")]
    [InlineData(29, "size/S")]
    [InlineData(30, "size/M")]
    [InlineData(99, "size/M")]
    [InlineData(100, "size/L")]
    [InlineData(499, "size/L")]
    [InlineData(500, "size/XL")]
    [InlineData(999, "size/XL")]
    [InlineData(1000, "size/XXL")]
    public async Task Handle_Opened_LabelsByAdditionsPlusDeletions(int lines, string label)
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", Enabled);
        var pr = h.Repository.AddPullRequest("alice", new string('a', 40), baseSha: Base,
            files: [new FakePullRequestFile("a.go", Additions: lines / 2, Deletions: 0), new FakePullRequestFile("b.go", Additions: 0, Deletions: lines - (lines / 2))]);

        await Dispatcher(h).HandleAsync(h.PullRequest("opened", pr), Ct);

        Assert.Equal([label], h.Repository.LabelsOn(pr.Number));
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_ConfiguredThresholds_AreUsedAtTheirEdges()
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", Enabled + "\nsize: {s: 2, m: 4, l: 6, xl: 8, xxl: 10}\n");
        var pr = h.Repository.AddPullRequest("alice", new string('a', 40), baseSha: Base, files: [new FakePullRequestFile("a.go", Additions: 5)]);
        await Dispatcher(h).HandleAsync(h.PullRequest("opened", pr), Ct);
        Assert.Equal(["size/M"], h.Repository.LabelsOn(pr.Number));

        pr.Files[0] = new FakePullRequestFile("a.go", Additions: 10);
        await Dispatcher(h).HandleAsync(h.PullRequest("synchronize", pr), Ct);
        Assert.Equal(["size/XXL"], h.Repository.LabelsOn(pr.Number));
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_Push_ReplacesAWrongSizeLabel()
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", Enabled);
        var pr = h.Repository.AddPullRequest("alice", new string('a', 40), baseSha: Base, files: [new FakePullRequestFile("a.go", Additions: 3)]);
        await Dispatcher(h).HandleAsync(h.PullRequest("opened", pr), Ct);
        pr.Files.Add(new FakePullRequestFile("b.go", Additions: 40, Deletions: 2));

        var outcome = await Dispatcher(h).HandleAsync(h.PullRequest("synchronize", pr), Ct);
        var again = await Dispatcher(h).HandleAsync(h.PullRequest("synchronize", pr), Ct);

        Assert.Equal("plugins: size: size/M (45 lines)", outcome);
        Assert.Equal("plugins: size: size/M kept (45 lines)", again);
        Assert.Equal(["size/M"], h.Repository.LabelsOn(pr.Number));
    }

    [Fact(Timeout = 30_000)]
    public async Task Handle_GeneratedFiles_AreNotCounted()
    {
        await using var h = await TriggerHarness.StartAsync("presubmits: {}", Enabled);
        h.Repository.SetFile(Base, ".generated_files", """
            # generated code
            path-prefix vendor/
            file-name zz_generated.deepcopy.go
            file-prefix mock_
            paths-from-repo hack/generated.txt
            """);
        h.Repository.SetFile(Base, "hack/generated.txt", "docs/api.md\n");
        h.Repository.SetFile(Base, ".gitattributes", "*.pb.go linguist-generated=true\napi/**/openapi.json linguist-generated=true\n*.go text\n");
        var pr = h.Repository.AddPullRequest("alice", new string('a', 40), baseSha: Base, files:
        [
            new FakePullRequestFile("main.go", Additions: 6),
            new FakePullRequestFile("vendor/x/y.go", Additions: 500),
            new FakePullRequestFile("pkg/zz_generated.deepcopy.go", Additions: 500),
            new FakePullRequestFile("pkg/mock_client.go", Additions: 500),
            new FakePullRequestFile("docs/api.md", Additions: 500),
            new FakePullRequestFile("pkg/x/types.pb.go", Additions: 500),
            new FakePullRequestFile("api/v1/beta/openapi.json", Additions: 500),
            new FakePullRequestFile("pkg/x/types.go", Additions: 4),
        ]);

        var outcome = await Dispatcher(h).HandleAsync(h.PullRequest("opened", pr), Ct);

        Assert.Equal("plugins: size: size/S (10 lines)", outcome);
    }

    [Theory]
    [InlineData("*.pb.go", "a/b/c.pb.go", true)]
    [InlineData("*.pb.go", "c.pb.go.txt", false)]
    [InlineData("vendor", "x/vendor/y.go", true)]
    [InlineData("api/*.json", "api/a.json", true)]
    [InlineData("api/*.json", "x/api/a.json", false)]
    [InlineData("**/gen/*.go", "a/b/gen/x.go", true)]
    [InlineData("docs/**", "docs/a/b.md", true)]
    [InlineData("file[0-9].txt", "file7.txt", true)]
    [InlineData("file[!0-9].txt", "filex.txt", false)]
    public void GitAttributes_Pattern_MatchesAsProw(string pattern, string path, bool generated)
    {
        var attributes = GitAttributes.Parse($"{pattern} linguist-generated=true", out var error);

        Assert.Null(error);
        Assert.Equal(generated, attributes.IsLinguistGenerated(path));
    }

    [Fact]
    public void GitAttributes_NegativePattern_IsRefusedAsProwDoes()
    {
        var attributes = GitAttributes.Parse("!x.go linguist-generated=true", out var error);

        Assert.Contains("negative patterns are forbidden", error, StringComparison.Ordinal);
        Assert.False(attributes.IsLinguistGenerated("x.go"));
    }

    [Fact]
    public void GeneratedFiles_BadLine_StopsThereWithProwsError()
    {
        var generated = GeneratedFiles.Parse("file-name a.go\nbogus line here\nfile-name b.go\n", out var error);

        Assert.Equal("invalid config line: \"bogus line here\"", error);
        Assert.True(generated.Match("x/a.go"));
        Assert.False(generated.Match("b.go"));
    }

    [Fact]
    public void Parse_DecreasingThresholds_IsAnErrorAtTheSection()
    {
        var bag = new Mothership.Model.Diagnostics.DiagnosticBag();

        var config = PluginsConfig.Parse("plugins.yaml", "plugins: {}\nsize:\n  s: 50\n  m: 20\n", bag);

        var error = Assert.Single(bag.Sorted());
        Assert.Equal(("plugins.yaml", 3), (error.Location.File, error.Location.Line));
        Assert.Contains("must not decrease", error.Message, StringComparison.Ordinal);
        Assert.Equal(new SizeThresholds(50, 20, 100, 500, 1000), config.Size);
    }

    private static ReviewPlugins Dispatcher(TriggerHarness h) => new(h.Config, [new SizePlugin(h.Forge)]);
}
