using Mothership.Server.Hosting;

namespace Mothership.IntegrationTests.Server;

/// <summary>
/// <c>mship server</c> runs with its gen0 budget, which the runtime reads from the environment
/// only: the process started (the native front, then the ReadyToRun build) starts itself again
/// with the variable set, keeping its process id; an operator's own value is kept (issue 19).
/// </summary>
public sealed class ServerGcTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mship-gc-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The serving process's environment and command line, from /proc.</summary>
    private static async Task<(string[] Environment, string[] CommandLine)> ProcAsync(int pid) =>
        ((await File.ReadAllTextAsync($"/proc/{pid}/environ", Ct)).Split('\0', StringSplitOptions.RemoveEmptyEntries),
         (await File.ReadAllTextAsync($"/proc/{pid}/cmdline", Ct)).Split('\0', StringSplitOptions.RemoveEmptyEntries));

    [Fact(Timeout = 120_000)]
    public async Task Server_StartsAgainWithTheGen0Budget_InTheProcessItWasStartedAs()
    {
        await using var server = await ServerProcess.StartAsync(_dir, cancellationToken: Ct);

        // ServerProcess started the native mship with this id; /readyz answered from it.
        var (environment, commandLine) = await ProcAsync(server.ProcessId!.Value);

        Assert.Equal([$"{ServerGc.Variable}={ServerGc.Gen0Budget}"], environment.Where(e => e.StartsWith(ServerGc.Variable + "=", StringComparison.Ordinal)));
        Assert.EndsWith("/jit/mship", commandLine[0], StringComparison.Ordinal);
        Assert.Equal(["server", "--db", server.Database], commandLine[1..4]);
        Assert.DoesNotContain("could not start again", server.Output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Server_TheOperatorsBudget_Kept()
    {
        await using var server = await ServerProcess.StartAsync(_dir, cancellationToken: Ct,
            environment: new Dictionary<string, string> { [ServerGc.Variable] = "0" });

        var (environment, _) = await ProcAsync(server.ProcessId!.Value);

        Assert.Equal([$"{ServerGc.Variable}=0"], environment.Where(e => e.StartsWith(ServerGc.Variable + "=", StringComparison.Ordinal)));
    }
}
