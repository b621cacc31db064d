namespace Mothership.IntegrationTests.Server;

/// <summary>
/// <c>mship server</c>'s settings as a user writes them (environment variables, appsettings.json):
/// a bad one stops the start with one line naming it, its value and what it takes, exit 2 — never
/// an internal error; Go durations are taken; an unknown one is a warning (issue 20, 2).
/// </summary>
public sealed class ServerSettingsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mship-settings-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Task<MshipResult> ServerAsync(IReadOnlyDictionary<string, string>? environment = null) =>
        MshipProcess.RunAsync(["server", "--urls", "http://127.0.0.1:0", "--db", $"sqlite:{Path.Combine(_dir, "m.db")}"], _dir, TimeSpan.FromSeconds(60),
            cancellationToken: Ct, environment: environment);

    private static void RefusedNaming(MshipResult r, params string[] expected)
    {
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}\n{r.Stdout}\n{r.Stderr}");
        var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        foreach (var e in expected)
        {
            Assert.Contains(e, line, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("internal error", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("listening", r.Stderr, StringComparison.Ordinal);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("Mothership__LeaseDuration", "banana", "Mothership:LeaseDuration: 'banana' is not a duration (Go's 90s, 15m, 720h, or d.hh:mm:ss)")]
    [InlineData("Mothership__Retention__KeepLast", "abc", "Mothership:Retention:KeepLast: 'abc' is not a whole number")]
    [InlineData("Mothership__Retention__KeepLast", "-2", "Retention:KeepLast: -2 is negative (a number of runs, 0 or more)")]
    [InlineData("Mothership__MaxRequestBytes", "-5", "MaxRequestBytes: -5 is below 1024 (a number of bytes, at least 1024")]
    [InlineData("Mothership__MaxActiveRuns", "0", "MaxActiveRuns: 0 is below 1")]
    [InlineData("Mothership__Sandbox", "maybe", "Mothership:Sandbox: 'maybe' is neither true nor false")]
    [InlineData("Mothership__MaxRequestBytes", "99999999999999999999", "Mothership:MaxRequestBytes: '99999999999999999999' is not a whole number (at most 9223372036854775807)")]
    [InlineData("Mothership__Workdir", "", "Workdir: empty; give a directory")]
    public async Task Server_BadSetting_Exit2OnOneLineNamingItTheValueAndWhatItTakes(string key, string value, string message)
    {
        RefusedNaming(await ServerAsync(new Dictionary<string, string> { [key] = value }), "mship server: invalid setting: ", message);
    }

    [Fact(Timeout = 60_000)]
    public async Task Server_MalformedAppSettings_Exit2NamingTheFileAndWhere()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "appsettings.json"), "{\"Mothership\": {\"Token\": \"x\",\n", Ct);

        RefusedNaming(await ServerAsync(), Path.Combine(_dir, "appsettings.json"), "LineNumber: 1");
    }

    [Fact(Timeout = 90_000)]
    public async Task Server_GoDurationsAndAnUnknownSetting_StartsAndWarnsAboutTheUnknownOne()
    {
        await using var server = await ServerProcess.StartAsync(_dir, cancellationToken: Ct, environment: new Dictionary<string, string>
        {
            ["Mothership__Retention__MaxAge"] = "720h",
            ["Mothership__SweepInterval"] = "10m",
            ["Mothership__LeaseDuration"] = "20s",
            ["Mothership__Retention__KeepLats"] = "3",
        });

        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(10);
        while (!server.Output.Contains("Mothership:Retention:KeepLats: unknown setting, ignored (known here: DeliveryMaxAge,", StringComparison.Ordinal) && TimeProvider.System.GetUtcNow() < deadline)
        {
            await Task.Delay(50, Ct);
        }

        Assert.Contains("Mothership:Retention:KeepLats: unknown setting, ignored", server.Output, StringComparison.Ordinal);
    }
}
