using Mothership.Model.Diagnostics;
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
        var docs = YamlTree.Parse("a: &x {k: v}\nb: *x\nc: *y\nd: &y 1\n");
        var map = Assert.IsType<TreeMapping>(Assert.Single(docs));
        Assert.Same(map.Value(0), map.Value(1));
        Assert.Equal("1", Assert.IsType<TreeScalar>(map.Value(2)).Value);
    }

    [Fact]
    public void Parse_DuplicateKey_IsMalformed()
    {
        var keys = string.Join(", ", Enumerable.Range(0, 12).Select(i => $"k{i}: {i}"));
        var e = Assert.ThrowsAny<YamlException>(() => YamlTree.Parse($"{{{keys}, k3: again}}\n"));
        Assert.Contains("Duplicate key k3", e.Message, StringComparison.Ordinal);
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
