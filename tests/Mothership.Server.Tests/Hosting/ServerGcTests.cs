using Mothership.Server.Hosting;

namespace Mothership.Server.Tests.Hosting;

public sealed class ServerGcTests
{
    private static Func<string, string?> Env(params (string Key, string Value)[] set) =>
        key => set.FirstOrDefault(s => s.Key == key).Value;

    [Fact]
    public void MustStartAgain_WorkstationGcOnLinuxWithoutTheVariable_True() =>
        Assert.True(ServerGc.MustStartAgain(Env(), serverGc: false, linux: true));

    [Theory]
    [InlineData("DOTNET_GCgen0size", "0")]
    [InlineData("DOTNET_GCgen0size", "8000000")]
    [InlineData("DOTNET_GCgen0size", "")]
    [InlineData("COMPlus_GCgen0size", "2000000")]
    public void MustStartAgain_TheOperatorSetTheBudget_False(string key, string value) =>
        Assert.False(ServerGc.MustStartAgain(Env((key, value)), serverGc: false, linux: true));

    [Fact]
    public void MustStartAgain_AlreadyStartedAgain_False() =>
        Assert.False(ServerGc.MustStartAgain(Env((ServerGc.Variable, ServerGc.Gen0Budget)), serverGc: false, linux: true));

    [Fact]
    public void MustStartAgain_ServerGcOrNotLinux_False()
    {
        Assert.False(ServerGc.MustStartAgain(Env(), serverGc: true, linux: true));
        Assert.False(ServerGc.MustStartAgain(Env(), serverGc: false, linux: false));
    }

    [Fact]
    public void Gen0Budget_Is64MiBInHexadecimal() =>
        Assert.Equal(64L * 1024 * 1024, Convert.ToInt64(ServerGc.Gen0Budget, 16));
}
