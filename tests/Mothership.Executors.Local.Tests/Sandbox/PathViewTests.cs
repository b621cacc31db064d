using Mothership.Executors.Local.Sandbox;

namespace Mothership.Executors.Local.Tests.Sandbox;

public sealed class PathViewTests
{
    private static readonly Bind[] Binds =
    [
        new("/host/attempt/workspace", "/workspace", ReadOnly: false),
        new("/host/claims/source", "/workspace/source", ReadOnly: false),
        new("/host/attempt/results", "/tekton/results", ReadOnly: false),
    ];

    [Fact]
    public void ToHost_WithoutLayout_PathIsTheHostsOwn()
    {
        var view = new PathView(Binds, layout: false);

        Assert.Equal("/workspace/source/x", view.ToHost("/workspace/source/x"));
        Assert.Equal("/etc/passwd", view.ToHost("/etc/passwd"));
    }

    [Fact]
    public void ToHost_UnderNestedBinds_TheDeepestBindWins()
    {
        var view = new PathView(Binds, layout: true);

        Assert.Equal("/host/claims/source/src/main.c", view.ToHost("/workspace/source/src/main.c"));
        Assert.Equal("/host/attempt/workspace/other/file", view.ToHost("/workspace/other/file"));
        Assert.Equal("/host/attempt/results/out", view.ToHost("/tekton/results/out"));
    }

    [Fact]
    public void ToHost_TheBindItself_ItsHostDirectory()
    {
        var view = new PathView(Binds, layout: true);

        Assert.Equal("/host/claims/source", view.ToHost("/workspace/source"));
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("/workspace-old/file")]
    [InlineData("/tekton/resultsx")]
    [InlineData("/tekton")]
    public void ToHost_NotUnderABind_Null(string path)
    {
        var view = new PathView(Binds, layout: true);

        Assert.Null(view.ToHost(path));
    }
}
