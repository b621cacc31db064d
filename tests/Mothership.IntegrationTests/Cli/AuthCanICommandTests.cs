using Mothership.Testing;

namespace Mothership.IntegrationTests.Cli;

/// <summary>
/// <c>mship auth can-i</c> with the real CLI on <c>examples/cloud/policy.csv</c> and on files
/// written here: yes/exit 0, no/exit 1 with the deciding line on stderr, a bad policy at
/// FILE:LINE:COL with exit 2.
/// </summary>
public sealed class AuthCanICommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mship-can-i-");

    private static string ExamplePolicy => Path.Combine(Fixtures.RepositoryRoot(), "examples", "cloud", "policy.csv");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _dir.Delete(recursive: true);

    private static Task<MshipResult> CanIAsync(params string[] args) =>
        MshipProcess.RunAsync(["auth", "can-i", .. args], cancellationToken: Ct);

    [Theory(Timeout = 60_000)]
    [InlineData("create deploys stage/stage-kr1 --as alice", 0, "yes", "policy.csv:15: p, role:stage-deployer, deploys, create, stage/*, allow")]
    [InlineData("create deploys prod/prod-kr1 --as alice", 1, "no", "no rule matched (denied)")]
    [InlineData("create deploys prod/prod-kr1 --as bob", 0, "yes", "policy.csv:22: p, role:prod-deployer, deploys, create, prod/*, allow")]
    [InlineData("approve deploys prod/prod-kr1 --as bob", 1, "no", "no rule matched (denied)")]
    [InlineData("approve deploys prod/prod-kr1 --as carol", 0, "yes", "policy.csv:28: p, role:prod-approver, deploys, approve, prod/*, allow")]
    [InlineData("create deploys prod/prod-kr1 --as bob --group my-org:contractors", 1, "no", "policy.csv:33: p, role:contractor, *, *, prod/*, deny")]
    [InlineData("get settings -/settings --group my-org:developers", 1, "no", "policy.csv:11: p, role:developer, settings, *, *, deny")]
    [InlineData("get runs -/nightly --as zed --default-role role:readonly", 0, "yes", "<built-in>: p, role:readonly, *, get, *, allow (through the default role)")]
    [InlineData("delete settings -/settings --as dan --group my-org:sre", 0, "yes", "<built-in>: p, role:admin, *, *, *, allow")]
    public async Task CanI_ExamplePolicy_AnswersWithExitCodeAndTheDecidingLine(string question, int exit, string answer, string reason)
    {
        var result = await CanIAsync([.. question.Split(' '), "--policy", ExamplePolicy]);

        Assert.Equal(exit, result.ExitCode);
        Assert.Equal(answer, result.Stdout.Trim());
        Assert.EndsWith(reason, result.Stderr.Trim(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task CanI_SeveralPolicyFiles_MergesThemAndNamesTheFileThatDecided()
    {
        var server = Path.Combine(_dir.FullName, "server.csv");
        await File.WriteAllTextAsync(server, "g, alice, role:prod-deployer\n", Ct);

        var result = await CanIAsync("create", "deploys", "prod/prod-kr1", "--as", "alice", "--policy", server, "--policy", ExamplePolicy);

        Assert.Equal((0, "yes"), (result.ExitCode, result.Stdout.Trim()));
        Assert.Equal($"{ExamplePolicy}:22: p, role:prod-deployer, deploys, create, prod/*, allow", result.Stderr.Trim());
    }

    [Fact(Timeout = 60_000)]
    public async Task CanI_BadPolicyFile_ReportsEveryMistakeAtItsPositionAndExits2()
    {
        var bad = Path.Combine(_dir.FullName, "policy.csv");
        await File.WriteAllTextAsync(bad, "# roles\np, role:x, deploys, deploy, stage/*, allow\ng, alice, x\n", Ct);

        var result = await CanIAsync("get", "runs", "-/x", "--as", "alice", "--policy", bad);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Equal(
            [
                $"{bad}:2:21: error: action: 'deploy' is not one of get, create, cancel, rerun, delete, approve or *",
                $"{bad}:3:11: error: role: 'x' is not role:NAME (NAME: letters, digits, '.', '_', '-', at most 63)",
            ],
            result.Stderr.Trim().Split('\n'));
    }

    [Theory(Timeout = 60_000)]
    [InlineData("get runs -/x --as alice", "give --policy FILE")]
    [InlineData("get runs -/x --policy POLICY", "give --as USER and/or --group GROUP")]
    [InlineData("get runs prod --as alice --policy POLICY", "OBJECT: 'prod' is not ENVIRONMENT/SITE")]
    [InlineData("get runs -/x --as alice --default-role readonly --policy POLICY", "--default-role: 'readonly' is not role:NAME")]
    [InlineData("deploy runs -/x --as alice --policy POLICY", "Argument 'deploy' not recognized")]
    [InlineData("get runs -/x --as alice --policy missing.csv", "missing.csv: error: policy file not found")]
    public async Task CanI_UnusableQuestion_IsOneMessageAndExit2(string question, string message)
    {
        var result = await CanIAsync([.. question.Split(' ').Select(a => a == "POLICY" ? ExamplePolicy : a)]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }
}
