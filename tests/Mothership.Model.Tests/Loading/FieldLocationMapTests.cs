using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;

namespace Mothership.Model.Tests.Loading;

public sealed class FieldLocationMapTests
{
    private static FieldLocationMap MapOf(string yaml, out TreeMapping node)
    {
        node = (TreeMapping)YamlTree.Parse(yaml)[0];
        return new FieldLocationMap("f.yaml", node);
    }

    [Fact]
    public void TryGetValue_Key_IsWhereTheKeyIsWritten()
    {
        var map = MapOf("a: 1\nbb: 2\n", out _);
        Assert.Equal(new SourceLocation("f.yaml", 2, 1), map["bb"]);
        Assert.False(map.ContainsKey("c"));
    }

    [Fact]
    public void TryGetValue_ListItem_OnlyForListsRecorded()
    {
        var map = MapOf("xs: [a, b]\nys: [c]\n", out var node);
        map.AddList("xs", (TreeSequence)node.Value(0));
        Assert.Equal(new SourceLocation("f.yaml", 1, 9), map["xs[1]"]);
        Assert.False(map.ContainsKey("xs[2]"));
        Assert.False(map.ContainsKey("xs[01]"));
        Assert.False(map.ContainsKey("ys[0]"));
    }

    [Fact]
    public void TryGetValue_Alias_FindsTheKeyWrittenInAnotherCase()
    {
        var map = MapOf("mountpath: /x\n", out var node);
        map.AddAlias("mountPath", node.Key(0));
        Assert.Equal(new SourceLocation("f.yaml", 1, 1), map["mountPath"]);
    }

    [Fact]
    public void GetEnumerator_ListsKeysItemsAndAliases()
    {
        var map = MapOf("Xs: [a, b]\n", out var node);
        map.AddList("xs", (TreeSequence)node.Value(0));
        map.AddAlias("xs", node.Key(0));
        Assert.Equal(["Xs", "xs", "xs[0]", "xs[1]"], map.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(4, map.Count);
    }
}
