using System.Diagnostics;
using System.Text;
using Mothership.Executors.Kubernetes.Pods;
using Mothership.Model.Tekton;

namespace Mothership.Executors.Kubernetes.Tests.Pods;

/// <summary>The generated resolver, run by the shells step images have (dash, bash; busybox when the host has it).</summary>
public sealed class StepResultResolverTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mship-resolver-").FullName;

    public static TheoryData<string> Shells => new(new[] { "/usr/bin/dash", "/usr/bin/bash", "/bin/busybox", "/usr/bin/busybox" }.Where(File.Exists).ToArray());

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void Result(string step, string name, string content)
    {
        var dir = Path.Combine(_dir, "step-" + step, "results");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, name), content, new UTF8Encoding(false));
    }

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(string shell, Step step, params string[] command)
    {
        var references = StepResultResolver.Find(step);
        var script = step.Script is null ? null : Path.Combine(_dir, "script");
        if (script is not null)
        {
            await File.WriteAllTextAsync(script, step.Script, TestContext.Current.CancellationToken);
        }

        var program = StepResultResolver.Program("step-reader", references, step.Env.Select(e => e.Name).Where(StepResultResolver.IsShellName), script, script is null ? null : Path.Combine(_dir, "resolved"), _dir);
        var psi = new ProcessStartInfo(shell) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])[.. shell.EndsWith("busybox", StringComparison.Ordinal) ? ["sh"] : Array.Empty<string>(), "-c", program, "sh", .. command])
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var e in step.Env)
        {
            psi.Environment[e.Name] = e.Value;
        }

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await stdout, await stderr);
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Shells))]
    public async Task Program_ArgsWithEveryKindOfReference_AreSubstitutedExactly(string shell)
    {
        Result("make", "text", "it's $(steps.make.results.text) \"quoted\" `cmd` $HOME * ; \\ end\n\n");
        // A reference without [*], an index or a key is the file as written, whatever its type.
        const string list = """ [ "a b", "c\"d\\e", "\u00e9\u20ac\ud83d\ude00", "line\nbreak\ttab\/", "" ] """;
        Result("make", "list", list);
        Result("make", "obj", """{"url": "ar.com", "digest" : "sha:1"}""");
        var step = new Step
        {
            Name = "reader",
            Args = ["$(steps.make.results.list[*])", "[$(steps.make.results.text)]", "$(steps.make.results.list[1])", "$(steps.make.results.obj.digest)@$(steps.make.results.obj.url)", "$(steps.make.results.list)", "$(steps.other.unknown)"],
        };

        var (code, stdout, stderr) = await RunAsync(shell, step, ["printf", "<%s>\n", .. step.Args]);

        Assert.True(code == 0, stderr);
        Assert.Equal(
            "<a b>\n<c\"d\\e>\n<é€😀>\n<line\nbreak\ttab/>\n<>\n" +
            "<[it's $(steps.make.results.text) \"quoted\" `cmd` $HOME * ; \\ end\n\n]>\n" +
            "<c\"d\\e>\n<sha:1@ar.com>\n<" + list + ">\n<$(steps.other.unknown)>\n",
            stdout);
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Shells))]
    public async Task Program_EnvAndScript_AreResolvedBeforeTheStepRuns(string shell)
    {
        Result("make", "name", "world");
        var step = new Step
        {
            Name = "reader",
            Script = "#!/bin/sh\necho \"hello $(steps.make.results.name) and $GREETING\"\n",
            Env = [new EnvVar { Name = "GREETING", Value = "hi $(steps.make.results.name)!" }],
        };

        var (code, stdout, stderr) = await RunAsync(shell, step, Path.Combine(_dir, "resolved"));

        Assert.True(code == 0, stderr);
        Assert.Equal("hello world and hi world!\n", stdout);
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(Shells))]
    public async Task Program_MissingResultOrBadJson_FailsTheStepWithAMessage(string shell)
    {
        Result("make", "list", "[1, 2]");
        var missing = await RunAsync(shell, new Step { Name = "r", Command = ["echo", "$(steps.make.results.absent)"] }, "echo", "$(steps.make.results.absent)");
        var bad = await RunAsync(shell, new Step { Name = "r", Command = ["echo", "$(steps.make.results.list[0])"] }, "echo", "$(steps.make.results.list[0])");

        Assert.Equal(1, missing.Code);
        Assert.Contains("step-reader: the step result file", missing.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, bad.Code);
        Assert.Contains("steps.make.results.list is not a JSON array or object of strings", bad.Stderr, StringComparison.Ordinal);
    }
}
