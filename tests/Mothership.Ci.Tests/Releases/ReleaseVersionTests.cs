using Mothership.Ci.Releases;

namespace Mothership.Ci.Tests.Releases;

public sealed class ReleaseVersionTests
{
    private static ReleaseNote Note(bool actionRequired = false, bool none = false, params string[] kinds) =>
        new() { Markdown = "n", Kinds = kinds, ActionRequired = actionRequired, DoNotPublish = none };

    [Fact]
    public void Next_OnlyFixes_Patch() => Assert.Equal("v1.4.3", ReleaseVersion.Next("v1.4.2", [Note(kinds: "bug"), Note()]));

    [Fact]
    public void Next_AFeature_MinorAndPatchReset() => Assert.Equal("v1.5.0", ReleaseVersion.Next("v1.4.2", [Note(kinds: "bug"), Note(kinds: ["cleanup", "feature"])]));

    [Fact]
    public void Next_ActionRequired_MajorOverFeature() => Assert.Equal("v2.0.0", ReleaseVersion.Next("1.4.2", [Note(kinds: "feature"), Note(actionRequired: true)]));

    [Fact]
    public void Next_FeatureWithoutPublishedNote_StillMinor() => Assert.Equal("v0.3.0", ReleaseVersion.Next("v0.2.9", [Note(none: true, kinds: "feature")]));

    [Fact]
    public void Next_NoNotes_Patch() => Assert.Equal("v0.0.1", ReleaseVersion.Next("v0.0.0", []));

    [Theory]
    [InlineData(VersionBump.Patch, "v2.1.1")]
    [InlineData(VersionBump.Minor, "v2.2.0")]
    [InlineData(VersionBump.Major, "v3.0.0")]
    public void Next_Override_ReplacesTheRule(VersionBump bump, string expected) =>
        Assert.Equal(expected, ReleaseVersion.Next("v2.1.0", [Note(actionRequired: true)], bump));

    [Theory]
    [InlineData("")]
    [InlineData("v1.2")]
    [InlineData("v1.2.3-rc.1")]
    [InlineData("v01.2.3")]
    [InlineData("vx.y.z")]
    [InlineData("v1.2.3.4")]
    public void Parse_NotAVersion_FormatExceptionSaysHowToWriteOne(string version)
    {
        var e = Assert.Throws<FormatException>(() => ReleaseVersion.Parse(version));
        Assert.Contains("vMAJOR.MINOR.PATCH", e.Message, StringComparison.Ordinal);
    }
}
