using System.Text;
using Mothership.Model.Limits;
using Mothership.Model.Loading;
using YamlDotNet.Core;

namespace Mothership.Model.Tests.Loading;

/// <summary>
/// The scanner of the plain YAML subset against YamlDotNet (<see cref="YamlTree.ParseEvents"/>):
/// whatever it accepts must come out node for node the same, values, styles and positions included.
/// </summary>
public sealed class BlockYamlScannerTests
{
    public static TheoryData<string> Accepted() =>
    [
        "a: 1\nb: [x, 'null']\n---\n- c\n",
        "---\napiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata:\n  name: p  # trailing comment\n  labels:\n    app.kubernetes.io/name: x\n",
        "spec:\n  steps:\n  - name: a\n    image: bash\n  - name: b\n    args: [\"-c\", 'it''s', plain text , -x]\nnext: 2\n",
        "# head\n\nlist:\n    -   a\n    -\n      b: c\n      d:\n        - e\n    - [ ]\n\"quoted key\" : v\n'k2': \"v: #2\"\n",
        "a:\n  - b\n  - c\nd: 'x'   \n# end\n",
        "k: v # c\n",
        "- a\n- b\n",
        "url: https://example.com/a?b=c&d=e#frag\nx: a:b\ny: -1\nz: ~\n",
        "  indented: root\n  second: 2\n",
        "last: no newline",
        "steps:\n  - name: a\n    script: |\n      #!/bin/sh\n      echo \"$(params.x)\"  # kept\n\n        indented: more\n    image: b\n  - script: |- # stripped\n      a\n\n\n      b\n\n    args: []\nafter: |\n  last\n\n",
        // JSON documents (the API's request bodies, the stored run manifests), alone or among YAML ones.
        "{\"apiVersion\":\"tekton.dev/v1\",\"kind\":\"PipelineRun\",\"metadata\":{\"generateName\":\"tp-0-\"},\"spec\":{\"pipelineRef\":{\"name\":\"tp-0\"}}}\n---\napiVersion: tekton.dev/v1\nkind: Pipeline\n",
        "{\n  \"a\": [1, -2.5e3, true, false, null, \"\", \"x\\ny\\t\\\"q\\\" \\u00e9\\/\"],\n  \"b\": {},\n  \"c\": [],\n  \"d\": {\"e\": [{\"f\": \"g\"}]}\n}\n\n",
        "[\"a\", {\"b\": 1}]",
        "a: 1\n---\n{\"b\": \"c\"}\n---\n[]\n",
    ];

    public static TheoryData<string> Declined() =>
    [
        "script: >\n  echo hi\n",
        "script: |+\n  echo hi\n",
        "script: |2\n  echo hi\n",
        "script: |\n\n  echo hi\n",
        "script: |\n  echo\n     \n  hi\n",
        "script: |\nnext: 1\n",
        "script: |\n  echo hi",
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "a:\nb: 1\n",
        "a: 1\na: 2\n",
        "a: one\n  two\n",
        "a: {b: c}\n",
        "a: [b,\n  c]\n",
        "a: \"esc\\n\"\n",
        "a:\tb\n",
        "a: b\r\n",
        "a: é\n",
        "a: 1\n---\n",
        "? [a, b]\n: v\n",
        "a: b: c\n",
        "a: [b, ]\n",
        "a: 'open\n",
        "- a\nb: c\n",
        "{\"a\": 1} # comment\n",
        "{\"a\": 1, \"a\": 2}\n",
        "{\"a\": [1, ]}\n",
        "{a: b}\n",
        "{\"a\": 1}\n{\"b\": 2}\n",
        "{\"a\": 1}\nb: 2\n",
        "{\"a\": 1\n",
    ];

    [Theory]
    [MemberData(nameof(Accepted))]
    public void TryParse_SubsetText_SameTreeAsYamlDotNet(string text)
    {
        var fast = BlockYamlScanner.TryParse(text, InputLimits.Default);

        Assert.NotNull(fast);
        AssertSame(YamlTree.ParseEvents(text, InputLimits.Default), fast, text);
    }

    [Theory]
    [MemberData(nameof(Declined))]
    public void TryParse_OutsideTheSubset_LeavesItToYamlDotNet(string text)
    {
        Assert.Null(BlockYamlScanner.TryParse(text, InputLimits.Default));
    }

    [Fact]
    public void Parse_DuplicateKey_StillYamlDotNetsErrorAndPosition()
    {
        var e = Assert.ThrowsAny<YamlException>(() => YamlTree.Parse("a: 1\nb:\n  c: 2\n  c: 3\n"));

        Assert.Contains("Duplicate key c", e.Message, StringComparison.Ordinal);
        Assert.Equal((4, 3), ((int)e.Start.Line, (int)e.Start.Column));
    }

    [Fact]
    public void TryParse_BeyondTheLimits_LeavesItToYamlDotNet()
    {
        var deep = new InputLimits { MaxYamlDepth = 2 };
        var few = new InputLimits { MaxYamlNodes = 3 };
        var shortValues = new InputLimits { MaxYamlScalarLength = 2 };

        Assert.Null(BlockYamlScanner.TryParse("a:\n  b:\n    c: d\n", deep));
        Assert.Null(BlockYamlScanner.TryParse("a: b\nc: d\n", few));
        Assert.Null(BlockYamlScanner.TryParse("a: bcd\n", shortValues));
        Assert.Throws<YamlLimitException>(() => YamlTree.Parse("a:\n  b:\n    c: d\n", deep));
    }

    [Fact]
    public void TryParse_LayeredDag_AcceptedAndSameAsYamlDotNet()
    {
        var text = LayeredDag(300, 10);

        var fast = BlockYamlScanner.TryParse(text, InputLimits.Default);

        Assert.NotNull(fast);
        AssertSame(YamlTree.ParseEvents(text, InputLimits.Default), fast, "dag");
    }

    [Fact]
    public void TryParse_EveryFixtureItAccepts_SameTreeAsYamlDotNet()
    {
        var files = Directory.EnumerateFiles(Fixtures.TektonV1(), "*.yaml", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Fixtures.TektonCatalog(), "*.yaml", SearchOption.AllDirectories))
            .Concat(Directory.EnumerateFiles(Fixtures.OpenStackHelm(), "*.yaml", SearchOption.AllDirectories))
            .Order(StringComparer.Ordinal).ToList();

        var accepted = SameWhereAccepted(files);

        // Enough of them for the comparison to mean something (112 of 335 when written).
        Assert.True(accepted >= 100, $"the scanner accepted only {accepted} of {files.Count} fixture files");
    }

    [Fact]
    public void TryParse_EveryWebhookPayloadItAccepts_SameTreeAsYamlDotNet()
    {
        // Real JSON, as GitHub sends it: what the JSON path accepts must read as YamlDotNet reads it.
        var files = Directory.EnumerateFiles(Fixtures.GitHubWebhooks(), "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();

        var accepted = SameWhereAccepted(files);

        Assert.True(accepted >= 10, $"the scanner accepted only {accepted} of {files.Count} payloads");
    }

    [Fact]
    public void TryParse_MutatedTexts_AcceptedOnlyWhenYamlDotNetReadsTheSameTree()
    {
        // Small edits with YAML's structural characters to texts of the subset: whatever the
        // scanner still accepts, YamlDotNet must read without error into the same tree.
        const string alphabet = " \n:-#\"'[],ax|{}\\";
        var seeds = Accepted().Select(row => (string)row.Data).Append(LayeredDag(20, 4)).ToList();
        var random = new Random(19);
        var accepted = 0;
        for (var n = 0; n < 5_000; n++)
        {
            var chars = new StringBuilder(seeds[random.Next(seeds.Count)]);
            for (var edits = random.Next(1, 4); edits > 0; edits--)
            {
                var at = random.Next(chars.Length + 1);
                if (random.Next(2) == 0 && at < chars.Length)
                {
                    chars.Remove(at, 1);
                }
                else
                {
                    chars.Insert(at, alphabet[random.Next(alphabet.Length)]);
                }
            }

            var text = chars.ToString();
            if (BlockYamlScanner.TryParse(text, InputLimits.Default) is not { } fast)
            {
                continue;
            }

            accepted++;
            List<TreeNode> expected;
            try
            {
                expected = YamlTree.ParseEvents(text, InputLimits.Default);
            }
            catch (YamlException e)
            {
                Assert.Fail($"the scanner accepted what YamlDotNet refuses ({e.Message}): {text}");
                return;
            }

            AssertSame(expected, fast, text);
        }

        Assert.True(accepted > 250, $"only {accepted} mutated texts accepted");
    }

    /// <summary>Compares the scanner's tree of every file it accepts with YamlDotNet's; how many it accepted.</summary>
    private static int SameWhereAccepted(List<string> files)
    {
        var accepted = 0;
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            if (BlockYamlScanner.TryParse(text, InputLimits.Default) is not { } fast)
            {
                continue;
            }

            accepted++;
            AssertSame(YamlTree.ParseEvents(text, InputLimits.Default), fast, file);
        }

        return accepted;
    }

    private static void AssertSame(List<TreeNode> expected, List<TreeNode> actual, string where)
    {
        Assert.True(expected.Count == actual.Count, $"{where}: {actual.Count} documents, YamlDotNet {expected.Count}");
        for (var i = 0; i < expected.Count; i++)
        {
            AssertSame(expected[i], actual[i], where);
        }
    }

    private static void AssertSame(TreeNode expected, TreeNode actual, string where)
    {
        var at = $"{where} at {expected.Line}:{expected.Column}";
        Assert.True(expected.GetType() == actual.GetType(), $"{at}: {actual.GetType().Name}, YamlDotNet {expected.GetType().Name}");
        Assert.True((expected.Line, expected.Column) == (actual.Line, actual.Column), $"{at}: scanner says {actual.Line}:{actual.Column}");
        switch (expected)
        {
            case TreeScalar s:
                var a = (TreeScalar)actual;
                Assert.True(s.Value == a.Value && s.IsPlain == a.IsPlain, $"{at}: '{a.Value}' plain={a.IsPlain}, YamlDotNet '{s.Value}' plain={s.IsPlain}");
                break;
            case TreeSequence s:
                var q = (TreeSequence)actual;
                Assert.True(s.Count == q.Count, $"{at}: {q.Count} items, YamlDotNet {s.Count}");
                for (var i = 0; i < s.Count; i++)
                {
                    AssertSame(s.Item(i), q.Item(i), where);
                }

                break;
            case TreeMapping m:
                var n = (TreeMapping)actual;
                Assert.True(m.Count == n.Count, $"{at}: {n.Count} entries, YamlDotNet {m.Count}");
                for (var i = 0; i < m.Count; i++)
                {
                    AssertSame(m.Key(i), n.Key(i), where);
                    AssertSame(m.Value(i), n.Value(i), where);
                }

                break;
        }
    }

    /// <summary>bench/Mothership.Bench/LayeredDag.cs's shape: each task after two of the layer before.</summary>
    private static string LayeredDag(int tasks, int layers)
    {
        var width = tasks / layers;
        var sb = new StringBuilder("apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata:\n  name: dag\nspec:\n  tasks:\n");
        for (var k = 0; k < layers; k++)
        {
            for (var i = 0; i < width; i++)
            {
                sb.Append($"    - name: t{k:D3}-{i:D4}\n");
                if (k > 0)
                {
                    sb.Append($"      runAfter: [t{k - 1:D3}-{i:D4}, t{k - 1:D3}-{(i + 1) % width:D4}]\n");
                }

                sb.Append("      taskSpec:\n        steps:\n          - name: noop\n            image: bash\n")
                  .Append("            command: [\"bash\", \"-c\", \"true\"]\n");
            }
        }

        sb.Append("---\napiVersion: tekton.dev/v1\nkind: PipelineRun\nmetadata:\n  name: dag-run\nspec:\n")
          .Append("  pipelineRef:\n    name: dag\n  timeouts:\n    pipeline: \"0\"\n");
        return sb.ToString();
    }
}
