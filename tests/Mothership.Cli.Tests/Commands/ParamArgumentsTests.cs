using Mothership.Cli.Commands;
using Mothership.Model.Diagnostics;
using Mothership.Model.Tekton;

namespace Mothership.Cli.Tests.Commands;

public sealed class ParamArgumentsTests
{
    [Fact]
    public void Parse_NameEqualsValue_KeepsEverythingAfterTheFirstEquals()
    {
        var bag = new DiagnosticBag();

        var ps = ParamArguments.Parse(["url=https://x/?a=b", "empty=", "spaced= two words "], bag);

        Assert.False(bag.HasErrors);
        Assert.Equal(["url", "empty", "spaced"], ps.Select(p => p.Name));
        Assert.Equal(["https://x/?a=b", "", " two words "], ps.Select(p => p.Value.StringValue));
    }

    [Fact]
    public void Parse_JsonArrayAndObject_AreTyped()
    {
        var bag = new DiagnosticBag();

        var ps = ParamArguments.Parse(["list=[\"a\",\"b\"]", "obj={\"k\":\"v\"}"], bag);

        Assert.False(bag.HasErrors);
        Assert.Equal(ParamType.Array, ps[0].Value.Type);
        Assert.Equal(["a", "b"], ps[0].Value.ArrayValue);
        Assert.Equal(ParamType.Object, ps[1].Value.Type);
        Assert.Equal("v", ps[1].Value.ObjectValue!["k"]);
    }

    [Theory]
    [InlineData("x", "'x' is not NAME=VALUE")]
    [InlineData("=v", "'=v' is not NAME=VALUE")]
    [InlineData("list=[1,", "param 'list': value looks like JSON but is not valid")]
    public void Parse_Malformed_IsADiagnosticNamingTheArgument(string argument, string message)
    {
        var bag = new DiagnosticBag();

        var ps = ParamArguments.Parse([argument], bag);

        Assert.Empty(ps);
        var error = Assert.Single(bag.Items);
        Assert.StartsWith($"-p: error: {message}", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SameNameTwice_IsAMistake()
    {
        var bag = new DiagnosticBag();

        var ps = ParamArguments.Parse(["a=1", "a=2"], bag);

        Assert.Single(ps);
        Assert.Contains("param 'a' is given twice", Assert.Single(bag.Items).Message, StringComparison.Ordinal);
    }
}
