using Mothership.Model.Diagnostics;
using Mothership.Model.Limits;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;
using YamlDotNet.Core;

namespace Mothership.Model.Tests.Loading;

public sealed class YamlTreeTests
{
    [Fact]
    public void Parse_MultiDocument_KeepsPositionsAndScalarStyle()
    {
        var docs = YamlTree.Parse("a: 1\nb: [x, 'null']\n---\n- c\n");
        Assert.Equal(2, docs.Count);
        var map = Assert.IsType<TreeMapping>(docs[0]);
        Assert.Equal(2, map.Count);
        Assert.Equal("b", map.KeyText(1));
        var list = Assert.IsType<TreeSequence>(map.Value(1));
        Assert.Equal((2, 4), (list.Line, list.Column));
        var quoted = Assert.IsType<TreeScalar>(list.Item(1));
        Assert.False(quoted.IsPlain);
        Assert.Equal("null", quoted.Value);
        Assert.IsType<TreeSequence>(docs[1]);
    }

    [Fact]
    public void Parse_Aliases_ResolveToTheAnchoredNode()
    {
        var docs = YamlTree.Parse("a: &x {k: v}\nb: *x\nc: &y 1\nd: *y\ne: &x 2\nf: *x\n");
        var map = Assert.IsType<TreeMapping>(Assert.Single(docs));
        Assert.Same(map.Value(0), map.Value(1));
        Assert.Same(map.Value(2), map.Value(3));
        Assert.Equal("2", Assert.IsType<TreeScalar>(map.Value(5)).Value);
    }

    [Fact]
    public void Parse_AliasBeforeItsAnchor_IsMalformed()
    {
        // YAML forbids it and Kubernetes' decoder refuses it; it is also how a node came to contain itself.
        var e = Assert.ThrowsAny<YamlException>(() => YamlTree.Parse("c: *y\nd: &y 1\n"));
        Assert.Contains("alias *y names no anchor written before it", e.Message, StringComparison.Ordinal);
        Assert.Equal((1, 4), ((int)e.Start.Line, (int)e.Start.Column));
    }

    [Fact]
    public void Parse_AliasInsideItsOwnAnchor_IsMalformedNotACycle()
    {
        var e = Assert.ThrowsAny<YamlException>(() => YamlTree.Parse("affinity: &l {x: *l}\n"));
        Assert.Contains("alias *l is inside the node its anchor &l names", e.Message, StringComparison.Ordinal);
        Assert.Equal((1, 18), ((int)e.Start.Line, (int)e.Start.Column));
    }

    [Fact]
    public void Parse_AnchorRedefinedInsideItself_AliasNamesTheLatest()
    {
        var docs = YamlTree.Parse("a: &x [&x v, *x]\nb: *x\n");
        var map = Assert.IsType<TreeMapping>(Assert.Single(docs));
        var list = Assert.IsType<TreeSequence>(map.Value(0));
        Assert.Same(list.Item(0), list.Item(1));
        Assert.Same(list.Item(0), map.Value(1));
    }

    [Fact]
    public void Parse_NonScalarKey_IsKept()
    {
        var docs = YamlTree.Parse("? [a, b]\n: v\nk: w\n");
        var map = Assert.IsType<TreeMapping>(Assert.Single(docs));
        Assert.IsType<TreeSequence>(map.Key(0));
        Assert.Null(map.KeyText(0));
        Assert.Equal("k", map.KeyText(1));
    }

    [Fact]
    public void Parse_NestedBrackets100000Deep_RefusedAtTheDepthLimitWithoutRecursing()
    {
        const int levels = 100_000;
        var text = "a: " + new string('[', levels) + new string(']', levels) + "\n";

        var e = Assert.Throws<YamlLimitException>(() => YamlTree.Parse(text));

        // The mapping is level 1, so the 32nd '[' (column 3 + 32) opens level 33.
        Assert.Equal((1, 35), ((int)e.Start.Line, (int)e.Start.Column));
        Assert.Contains("more than 32 levels", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AtTheDepthLimit_Reads()
    {
        var text = "a: " + new string('[', 31) + "x" + new string(']', 31) + "\n";

        TreeNode node = Assert.IsType<TreeMapping>(Assert.Single(YamlTree.Parse(text))).Value(0);
        for (var i = 0; i < 31; i++)
        {
            node = Assert.IsType<TreeSequence>(node).Item(0);
        }

        Assert.Equal("x", Assert.IsType<TreeScalar>(node).Value);
    }

    [Fact]
    public void Parse_AliasBomb_RefusedAtTheAliasLimit()
    {
        // "Billion laughs": 7 levels of 10 aliases each, 10^7 nodes from a few hundred bytes.
        var lines = new List<string> { "l0: &a0 [x, x, x, x, x, x, x, x, x, x]" };
        for (var i = 1; i < 7; i++)
        {
            lines.Add($"l{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]");
        }

        var e = Assert.Throws<YamlLimitException>(() => YamlTree.Parse(string.Join("\n", lines) + "\n"));

        Assert.Contains("aliases expand to more than 100000 nodes", e.Message, StringComparison.Ordinal);
        Assert.Equal(5, (int)e.Start.Line);
    }

    [Fact]
    public void Parse_AliasesWithinTheLimit_CountWhatTheyRepeat()
    {
        var limits = InputLimits.Default with { MaxYamlAliasNodes = 6 };

        // &s holds 3 nodes (the mapping, a key, a value): two aliases repeat 6.
        YamlTree.Parse("a: &s {k: v}\nb: *s\nc: *s\n", limits);
        var e = Assert.Throws<YamlLimitException>(() => YamlTree.Parse("a: &s {k: v}\nb: *s\nc: *s\nd: *s\n", limits));

        Assert.Equal((4, 4), ((int)e.Start.Line, (int)e.Start.Column));
    }

    [Fact]
    public void Parse_MoreNodesThanTheLimit_Refused()
    {
        var limits = InputLimits.Default with { MaxYamlNodes = 10 };

        YamlTree.Parse("[1, 2, 3, 4, 5, 6, 7, 8, 9]\n", limits);
        var e = Assert.Throws<YamlLimitException>(() => YamlTree.Parse("[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n", limits));

        Assert.Contains("more than 10 YAML nodes", e.Message, StringComparison.Ordinal);
        Assert.Equal((1, 29), ((int)e.Start.Line, (int)e.Start.Column));
    }

    [Fact]
    public void Parse_ValueLongerThanTheLimit_Refused()
    {
        var limits = InputLimits.Default with { MaxYamlScalarLength = 8 };

        YamlTree.Parse("a: 12345678\n", limits);
        var e = Assert.Throws<YamlLimitException>(() => YamlTree.Parse("a: ok\nb: 123456789\n", limits));

        Assert.Equal((2, 4), ((int)e.Start.Line, (int)e.Start.Column));
        Assert.Contains("9 characters long", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DuplicateKey_IsMalformed()
    {
        var keys = string.Join(", ", Enumerable.Range(0, 12).Select(i => $"k{i}: {i}"));
        var e = Assert.ThrowsAny<YamlException>(() => YamlTree.Parse($"{{{keys}, k3: again}}\n"));
        Assert.Contains("Duplicate key k3", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("!!]binary 1\n")]
    [InlineData("a: 1\nb: !!]x 2\n")]
    public void Parse_TagYamlDotNetCannotRead_IsMalformedNotAnArgumentException(string text)
    {
        // Found by ResourceLoaderPropertyTests: YamlDotNet's parser throws ArgumentException ("Global tags must be valid URIs").
        var e = Assert.ThrowsAny<YamlException>(() => YamlTree.Parse(text));
        Assert.Contains("Global tags must be valid URIs", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Parameter", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UndefinedAlias_IsMalformed() =>
        Assert.ThrowsAny<YamlException>(() => YamlTree.Parse("a: *nowhere\n"));

    [Fact]
    public void Parse_RepeatedScalars_ShareOneString()
    {
        var docs = YamlTree.Parse("- {name: bash}\n- {name: bash}\n");
        var first = (TreeMapping)((TreeSequence)docs[0]).Item(0);
        var second = (TreeMapping)((TreeSequence)docs[0]).Item(1);
        Assert.Same(first.KeyText(0), second.KeyText(0));
        Assert.Same(((TreeScalar)first.Value(0)).Value, ((TreeScalar)second.Value(0)).Value);
    }

    [Fact]
    public void Load_AliasedStep_ReadsLikeTheAnchoredOne()
    {
        var bag = new DiagnosticBag();
        var resources = ResourceLoader.Load("f.yaml", """
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: t}
            spec:
              steps:
                - &s {name: a, image: bash, args: [x]}
                - *s
            """, bag);
        Assert.Empty(bag.Items);
        var task = Assert.IsType<TektonTask>(Assert.Single(resources));
        Assert.Equal(["bash", "bash"], task.Spec.Steps.Select(s => s.Image));
        Assert.Equal(new SourceLocation("f.yaml", 6, 40), task.Spec.Steps[1].At("args[0]"));
    }
}
