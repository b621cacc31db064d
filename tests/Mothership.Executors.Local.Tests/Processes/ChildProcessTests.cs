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
        Assert.Contains("interpreter '/no/such/interpreter-7f3' not found", line, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30000)]
    public async Task Start_EnvShebangProgramMissing_NamesTheProgramAndExits127()
    {
        var script = Path.Combine(_dir, "step-y");
        await File.WriteAllTextAsync(script, "#!/usr/bin/env python3-mship-absent\nprint('hi')\n", TestContext.Current.CancellationToken);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var stderr = new List<string>();

        using var child = ChildProcess.Start(new LaunchSpec(script, [], _dir, new Dictionary<string, string>()) { Script = script }, _ => { }, stderr.Add);
        var (exitCode, _) = await child.WaitAsync(TimeSpan.FromSeconds(1), TimeProvider.System, TestContext.Current.CancellationToken);

        Assert.Equal(127, exitCode);
        Assert.Equal($"mship: failed to execute {script}: interpreter 'python3-mship-absent' not found", Assert.Single(stderr));
    }

    [Theory]
    [InlineData("#!/usr/bin/env bash\n", null)]
    [InlineData("#!/usr/bin/env -S bash -e\n", null)]
    [InlineData("#!/usr/bin/env -i LANG=C nope-mship-x --flag\n", "nope-mship-x")]
    [InlineData("#!/usr/bin/env /opt/nope-mship/bin/python\n", "/opt/nope-mship/bin/python")]
    [InlineData("#!/bin/sh -e\n", null)]
    [InlineData("#!/workspace/venv/bin/python\n", null)]
    [InlineData("echo no shebang\n", null)]
    public void MissingInterpreter_ShebangLines_NamesOnlyWhatTheHostLacks(string head, string? expected)
    {
        var script = Path.Combine(_dir, "s");
        File.WriteAllText(script, head);

        Assert.Equal(expected, ChildProcess.MissingInterpreter(script, new Dictionary<string, string> { ["PATH"] = "/usr/bin:/bin" }));
    }

    [Fact]
    public void MissingInterpreter_PathOfTheStep_UsedForTheLookup()
    {
        var script = Path.Combine(_dir, "s");
        File.WriteAllText(script, "#!/usr/bin/env bash\n");

        Assert.Equal("bash", ChildProcess.MissingInterpreter(script, new Dictionary<string, string> { ["PATH"] = _dir }));
    }
}
