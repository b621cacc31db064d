using System.Diagnostics;

namespace Mothership.IntegrationTests.Cli;

/// <summary>
/// The repository's <c>./mship</c> script rebuilds the CLI only when sources changed: a
/// <c>dotnet build</c> rewrites <c>obj/*.json</c> and <c>bin/</c> every time, which used to make
/// every later call rebuild (issue 20, 8). Run on a copy of the script in a stand-in repository
/// whose "built CLI" is a shell script, so no build happens unless the script decides to build.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // a bash script
public sealed class MshipScriptTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mship-script-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Write(string path, string text, DateTime time)
    {
        var full = Path.Combine(_root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
        File.SetLastWriteTimeUtc(full, time);
    }

    private async Task<(int Exit, string Output)> RunScriptAsync()
    {
        var info = new ProcessStartInfo(Path.Combine(_root, "mship"), ["--version"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        // dotnet is not found: a build the script starts fails at once, with the script's own message first.
        info.Environment["PATH"] = "/usr/bin:/bin";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        return (process.ExitCode, await stdout + await stderr);
    }

    private void StandIn()
    {
        var built = TimeProvider.System.GetUtcNow().UtcDateTime.AddMinutes(-10);
        var script = Path.Combine(_root, "mship");
        File.Copy(Path.Combine(Fixtures.RepositoryRoot(), "mship"), script);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        foreach (var file in (string[])["Directory.Build.props", "Directory.Packages.props", "BannedSymbols.txt", "src/Mothership.Cli/Program.cs"])
        {
            Write(file, "", built.AddMinutes(-5));
        }

        Write("artifacts/cli/mship", "#!/bin/sh\necho the built cli\n", built);
        File.SetUnixFileMode(Path.Combine(_root, "artifacts/cli/mship"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Write("artifacts/cli/.built", "", built);
    }

    [Fact(Timeout = 30_000)]
    public async Task Mship_OnlyBuildOutputsNewerThanTheCli_RunsTheBuiltCliWithoutBuilding()
    {
        StandIn();
        // What `dotnet build` leaves behind, newer than the CLI.
        Write("src/Mothership.Cli/obj/project.assets.json", "{}", TimeProvider.System.GetUtcNow().UtcDateTime);
        Write("src/Mothership.Cli/obj/Debug/net10.0/mship.AssemblyInfo.cs", "", TimeProvider.System.GetUtcNow().UtcDateTime);
        Write("src/Mothership.Cli/bin/Debug/net10.0/mship.deps.json", "{}", TimeProvider.System.GetUtcNow().UtcDateTime);

        var (exit, output) = await RunScriptAsync();

        Assert.Equal(0, exit);
        Assert.Equal("the built cli\n", output);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("src/Mothership.Cli/Program.cs")]
    [InlineData("src/Mothership.Server/Dashboard/wwwroot/app.js")]
    [InlineData("Directory.Packages.props")]
    public async Task Mship_ASourceNewerThanTheCli_Builds(string source)
    {
        StandIn();
        Write(source, "changed", TimeProvider.System.GetUtcNow().UtcDateTime);

        var (_, output) = await RunScriptAsync();

        Assert.Contains("mship: building the CLI (sources changed)", output, StringComparison.Ordinal);
        Assert.DoesNotContain("the built cli", output, StringComparison.Ordinal);
    }
}
