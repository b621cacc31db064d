using Mothership.Executors.Local.Processes;

namespace Mothership.Executors.Local.Tests.Processes;

/// <summary>What a step sees when its program cannot be started.</summary>
public sealed class ChildProcessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mship-child-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact(Timeout = 30000)]
    public async Task Start_ShebangInterpreterMissing_NamesTheInterpreter()
    {
        var script = Path.Combine(_dir, "step-x");
        await File.WriteAllTextAsync(script, "#!/no/such/interpreter-7f3 -u\necho hi\n", TestContext.Current.CancellationToken);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var stderr = new List<string>();

        using var child = ChildProcess.Start(new LaunchSpec(script, [], _dir, new Dictionary<string, string>()), _ => { }, stderr.Add);
        await child.WaitAsync(TimeSpan.FromSeconds(1), TimeProvider.System, TestContext.Current.CancellationToken);

        var line = Assert.Single(stderr);
        Assert.Contains("script's interpreter '/no/such/interpreter-7f3 -u': not found", line, StringComparison.Ordinal);
    }
}
