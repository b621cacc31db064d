using System.Text.Json.Nodes;
using Mothership.Cli.Output;

namespace Mothership.Cli.Tests.Output;

public sealed class TerminalTextTests
{
    [Theory]
    [InlineData("plain-name", "plain-name")]
    [InlineData("red\u001b[31m", @"red\x1b[31m")]
    [InlineData("title\u001b]0;pwned\u0007", @"title\x1b]0;pwned\x07")]
    [InlineData("a\r\nb\tc", @"a\r\nb\tc")]
    [InlineData("txt\u202eexe", @"txt\u202eexe")]
    [InlineData("c1\u009b", @"c1\x9b")]
    [InlineData("ünï ✓", "ünï ✓")]
    [InlineData(null, "")]
    public void Escape_ControlCharacters_ShownAsEscapes(string? text, string shown) => Assert.Equal(shown, TerminalText.Escape(text));

    [Fact]
    public void EscapeLines_KeepsLineBreaksAndTabsOnly() => Assert.Equal("a\n\tb\\r\\x1b", TerminalText.EscapeLines("a\n\tb\r\u001b"));

    [Fact]
    public void Escape_JsonValue_StringAsItIsOtherwiseJson()
    {
        Assert.Equal(@"x\x1b", TerminalText.Escape(JsonValue.Create("x\u001b")));
        Assert.Equal("5", TerminalText.Escape(JsonValue.Create(5)));
        Assert.Equal("", TerminalText.Escape((JsonNode?)null));
    }
}
