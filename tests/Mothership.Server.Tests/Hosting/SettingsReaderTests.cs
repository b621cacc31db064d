using Microsoft.Extensions.Configuration;
using Mothership.Server.Hosting;

namespace Mothership.Server.Tests.Hosting;

/// <summary>Settings as written (environment, appsettings.json, flags) checked before binding (issue 20, 2).</summary>
public class SettingsReaderTests
{
    private static (IReadOnlyList<string> Errors, Dictionary<string, string?> Normalized) Check(params (string Key, string? Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, s.Value)))
            .Build();
        var errors = SettingsReader.Check(configuration, out var normalized);
        return (errors, normalized);
    }

    [Theory]
    [InlineData("Mothership:LeaseDuration", "banana", "Mothership:LeaseDuration: 'banana' is not a duration")]
    [InlineData("Mothership:Retention:KeepLast", "abc", "Mothership:Retention:KeepLast: 'abc' is not a whole number")]
    [InlineData("Mothership:Sandbox", "yes", "Mothership:Sandbox: 'yes' is neither true nor false")]
    [InlineData("Mothership:Retention:Pipelines:deploy:KeepLast", "x", "Mothership:Retention:Pipelines:deploy:KeepLast: 'x' is not a whole number")]
    public void Check_BadSetting_OneLineNamingTheKey(string key, string value, string expected)
    {
        var (errors, _) = Check((key, value));

        Assert.StartsWith(expected, Assert.Single(errors), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Mothership:Bogus", "1", "Mothership:Bogus: unknown setting, ignored (known here: AllowedHosts,")]
    [InlineData("Mothership:Retention:KeepLats", "3", "Mothership:Retention:KeepLats: unknown setting, ignored (known here: DeliveryMaxAge, FailedMaxAge, KeepLast,")]
    [InlineData("Mothership:Retention:Pipelines:deploy:Keep", "x", "Mothership:Retention:Pipelines:deploy:Keep: unknown setting, ignored (known here: FailedMaxAge, KeepLast, KeepLastFailed, MaxAge)")]
    [InlineData("Mothership:KubernetesSites:eu:Context", "x", "Mothership:KubernetesSites: unknown setting, ignored")]
    public void Check_UnknownSetting_AWarningNamingTheKeyNotAnError(string key, string value, string expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([KeyValuePair.Create(key, (string?)value)]).Build();

        var errors = SettingsReader.Check(configuration, out _, out var unknown);

        Assert.Empty(errors);
        Assert.StartsWith(expected, Assert.Single(unknown), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_UnknownSettingThroughTheHost_TheServerStillStarts()
    {
        // Issue 20, 2: unknown settings are warned about, not fatal.
        var app = ServerHost.Build(new Dictionary<string, string?> { ["Mothership:NoSuchSetting"] = "1" });

        Assert.NotNull(app);
    }

    [Fact]
    public void Build_AppSettingsFile_ReadButNotWatched()
    {
        // The default reload-on-change watches the current directory with its subdirectories,
        // the run folders among them (.mothership/runs): every step's files became inotify events.
        var app = ServerHost.Build(new Dictionary<string, string?>());

        var sources = ((IConfigurationBuilder)app.Configuration).Sources.OfType<Microsoft.Extensions.Configuration.Json.JsonConfigurationSource>().ToList();
        Assert.Contains(sources, s => s.Path == "appsettings.json");
        Assert.All(sources, s => Assert.False(s.ReloadOnChange, $"{s.Path} is watched"));
        Assert.DoesNotContain(ServerHost.ReloadConfigOnChange, SettingsReader.Check(app.Configuration, out _, out var unknown).Concat(unknown));
    }

    [Theory]
    [InlineData("720h", "30.00:00:00")]
    [InlineData("10m", "00:10:00")]
    [InlineData("1h30m", "01:30:00")]
    public void Check_GoDuration_RewrittenForTheBinder(string written, string bound)
    {
        var (errors, normalized) = Check(("Mothership:Retention:MaxAge", written), ("Mothership:SweepInterval", written));

        Assert.Empty(errors);
        Assert.Equal(bound, normalized["Mothership:Retention:MaxAge"]);
        Assert.Equal(bound, normalized["Mothership:SweepInterval"]);
    }

    [Fact]
    public void Check_NetDurationsAndEveryKindOfValidSetting_NoProblem()
    {
        var (errors, normalized) = Check(
            ("Mothership:LeaseDuration", "00:00:20"),
            ("Mothership:Retention:KeepLast", "10"),
            ("Mothership:Retention:MaxAge", ""),
            ("Mothership:Sandbox", "true"),
            ("Mothership:KubernetesRegistries:0", "docker.io=http://localhost:5000"),
            ("Mothership:Cloud:Kubeconfigs", "/etc/mothership/kubeconfigs"),
            ("Mothership:Retention:Pipelines:deploy:KeepLast", "3"),
            ("Mothership:MaxRequestBytes", "1048576"),
            ("Logging:LogLevel:Default", "Debug"));

        Assert.Empty(errors);
        Assert.DoesNotContain("Mothership:LeaseDuration", normalized.Keys);
    }

    [Fact]
    public void Check_OneValueForAListSetting_BoundAsItsOnlyItem()
    {
        var (errors, normalized) = Check(("Mothership:KubernetesRegistries", "docker.io=http://localhost:5000"));

        Assert.Empty(errors);
        Assert.Equal("docker.io=http://localhost:5000", normalized["Mothership:KubernetesRegistries:0"]);
    }

    [Fact]
    public void Check_BadSettingThroughTheHost_RefusedAtStartNamingIt()
    {
        var e = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            ServerHost.Build(new Dictionary<string, string?> { ["Mothership:SweepInterval"] = "often" }));

        Assert.Contains(e.Failures, f => f.StartsWith("Mothership:SweepInterval: 'often'", StringComparison.Ordinal));
    }
}
