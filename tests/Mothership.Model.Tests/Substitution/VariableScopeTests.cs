using Mothership.Model.Substitution;
using Mothership.Model.Tekton;

namespace Mothership.Model.Tests.Substitution;

public sealed class VariableScopeTests
{
    private static VariableScope Scope() => new VariableScope()
        .Set("params.name", "world")
        .Set("params.list", ParamValue.Of(["a", "b c"]))
        .Set("params.obj", ParamValue.Of([KeyValuePair.Create("url", "https://x"), KeyValuePair.Create("rev", "main")]))
        .Set("params.dotted.name", "dots")
        .Set("tasks.t.results.r", "v\n");

    [Theory]
    [InlineData("hello $(params.name)", "hello world")]
    [InlineData("$(params.list[1])", "b c")]
    [InlineData("$(params.obj.url)@$(params.obj.rev)", "https://x@main")]
    [InlineData("$(params[\"dotted.name\"]) $(params['name'])", "dots world")]
    [InlineData("$( params.name )", "world")]
    [InlineData("$(tasks.t.results.r)", "v\n")]
    [InlineData("$(params.unknown) stays", "$(params.unknown) stays")]
    [InlineData("$(params.list[9])", "$(params.list[9])")]
    [InlineData("$(params.list[99999999999])", "$(params.list[99999999999])")]
    public void Apply_String_SubstitutesKnownVariables(string text, string expected) =>
        Assert.Equal(expected, Scope().Apply(text));

    [Fact]
    public void Apply_ValueContainingVariable_IsNotExpandedAgain()
    {
        var scope = new VariableScope().Set("params.a", "$(params.b)").Set("params.b", "no");
        Assert.Equal("$(params.b)", scope.Apply("$(params.a)"));
    }

    [Fact]
    public void ApplyList_StarReference_ExpandsIntoSeparateItems()
    {
        var result = Scope().ApplyList(["--flag", "$(params.list[*])", "x-$(params.name)"]);
        Assert.Equal(["--flag", "a", "b c", "x-world"], result);
    }

    [Fact]
    public void ApplyValue_WholeReferenceToArrayOrObject_KeepsItsType()
    {
        var scope = Scope();
        Assert.Equal(ParamValue.Of(["a", "b c"]), scope.ApplyValue(ParamValue.Of("$(params.list[*])")));
        Assert.Equal(ParamType.Object, scope.ApplyValue(ParamValue.Of("$(params.obj[*])")).Type);
        Assert.Equal(ParamValue.Of(["x", "a", "b c"]), scope.ApplyValue(ParamValue.Of(["x", "$(params.list[*])"])));
        Assert.Equal(ParamValue.Of("prefix a b c"), scope.ApplyValue(ParamValue.Of("prefix $(params.list[*])")));
    }

    [Fact]
    public void References_ListsNormalizedExpressions()
    {
        var refs = VariableScope.References("a $(params[\"x.y\"]) b $(tasks.t.results.r[*])").Select(r => r.Expression);
        Assert.Equal(["params.x.y", "tasks.t.results.r[*]"], refs);
    }

    [Fact]
    public void Parse_JsonLookingText_BecomesArrayOrObject()
    {
        Assert.Equal(ParamValue.Of(["1", "two"]), ParamValue.Parse("[1, \"two\"]"));
        Assert.Equal(ParamType.Object, ParamValue.Parse("{\"a\": \"b\"}").Type);
        Assert.Equal(ParamValue.Of("[not json"), ParamValue.Parse("[not json"));
        Assert.Equal(ParamValue.Of("[1]"), ParamValue.Parse("[1]", ParamType.String));
    }
}
