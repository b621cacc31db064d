using System.Text.Json;
using System.Text.Json.Nodes;
using Mothership.Ci.Releases;

namespace Mothership.Ci.Tests.Releases;

public sealed class ReleaseNotesDocumentTests
{
    private static JsonNode Inputs() => JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures.K8sReleaseNotes(), "inputs.json")))!;

    private static ReleaseNote NoteOf(JsonNode? n) => new()
    {
        Markdown = (string)n!["markdown"]!,
        Kinds = [.. n["kinds"]!.AsArray().Select(k => (string)k!)],
        ActionRequired = n["actionRequired"] is { } a && (bool)a,
    };

    /// <summary>The ordering rules of upstream's TestNew, by name, as the fixture lists them.</summary>
    public static TheoryData<string> Rules()
    {
        var data = new TheoryData<string>();
        foreach (var rule in Inputs()["rules"]!.AsArray())
        {
            data.Add((string)rule!["name"]!);
        }

        return data;
    }

    [Fact]
    public void ToMarkdown_GoldenInputs_ReproducesTheGoldenByteForByte()
    {
        var golden = Inputs()["golden"]!;
        var document = ReleaseNotesDocument.Build(golden["notes"]!.AsArray().Select(NoteOf));

        var expected = File.ReadAllBytes(Path.Combine(Fixtures.K8sReleaseNotes(), (string)golden["file"]!));
        Assert.Equal(System.Text.Encoding.UTF8.GetString(expected), document.ToMarkdown());
        Assert.Equal(expected, System.Text.Encoding.UTF8.GetBytes(document.ToMarkdown()));
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void Build_UpstreamRule_SectionsAndLinesAsListed(string name)
    {
        var rule = Inputs()["rules"]!.AsArray().Single(r => (string)r!["name"]! == name)!;
        var document = ReleaseNotesDocument.Build(rule["notes"]!.AsArray().Select(NoteOf));

        var expected = rule["sections"]!.AsArray()
            .Select(s => ((string)s![0]!, string.Join('\n', s[1]!.AsArray().Select(l => (string)l!))))
            .ToList();
        Assert.Equal(expected, document.Sections.Select(s => (s.Title, string.Join('\n', s.Lines))).ToList());
        Assert.Empty(document.ActionRequired);
    }

    [Fact]
    public void Rules_Fixture_ListsEveryOrderingRule()
    {
        Assert.Equal(6, Rules().Count);
    }

    [Fact]
    public void ToMarkdown_NoteWithPullRequestAndAuthor_EndsWithUpstreamSuffix()
    {
        var document = ReleaseNotesDocument.Build(
        [
            new ReleaseNote { Markdown = "- Fixed the scheduler.", PullRequest = 12, Author = "alice", Kinds = ["bug"] },
            new ReleaseNote { Markdown = "Needs a migration.", PullRequest = 3, Author = "bob", ActionRequired = true },
        ]);

        Assert.Equal(
            "## Urgent Upgrade Notes \n\n### (No, really, you MUST read this before you upgrade)\n\n- Needs a migration. (#3, @bob)\n \n"
            + "## Changes by Kind\n\n### Bug or Regression\n\n- Fixed the scheduler. (#12, @alice)\n",
            document.ToMarkdown());
    }

    [Fact]
    public void Build_DoNotPublish_LeftOut()
    {
        var document = ReleaseNotesDocument.Build(
        [
            new ReleaseNote { Markdown = "NONE", PullRequest = 1, Author = "a", DoNotPublish = true, Kinds = ["feature"] },
            new ReleaseNote { Markdown = "Kept.", PullRequest = 2, Author = "b" },
        ]);

        Assert.Equal("## Changes by Kind\n\n### Uncategorized\n\n- Kept. (#2, @b)\n", document.ToMarkdown());
    }

    [Fact]
    public void ToMarkdown_NoNotes_Empty()
    {
        Assert.Equal("", ReleaseNotesDocument.Build([]).ToMarkdown());
    }

    [Fact]
    public void Build_RegressionAndUnknownKinds_BugSectionAndUncategorized()
    {
        var document = ReleaseNotesDocument.Build(
        [
            new ReleaseNote { Markdown = "Regressed.", Kinds = ["regression"] },
            new ReleaseNote { Markdown = "Support.", Kinds = ["support"] },
        ]);

        Assert.Equal(["Bug or Regression", "Uncategorized"], document.Sections.Select(s => s.Title));
    }

    [Fact]
    public void ToJson_Document_HoldsSectionsWithNotes()
    {
        var document = ReleaseNotesDocument.Build(
        [
            new ReleaseNote { Markdown = "A feature.", PullRequest = 7, Author = "carol", Kinds = ["feature"] },
            new ReleaseNote { Markdown = "Urgent.", PullRequest = 8, Author = "dave", ActionRequired = true },
        ]);

        var json = JsonNode.Parse(document.ToJson())!;
        Assert.Equal("Urgent. (#8, @dave)", (string)json["actionRequired"]![0]!["line"]!);
        var section = json["sections"]![0]!;
        Assert.Equal(("feature", "Feature", 7, "carol", "A feature."),
            ((string)section["kind"]!, (string)section["title"]!, (int)section["notes"]![0]!["pullRequest"]!, (string)section["notes"]![0]!["author"]!,
                (string)section["notes"]![0]!["markdown"]!));
        Assert.Equal(JsonValueKind.Array, json["sections"]!.GetValueKind());
    }
}
