using System.Diagnostics;
using System.Text;

namespace Mothership.Testing;

/// <summary>What a finished <c>mship</c> process printed and how it exited.</summary>
public sealed record MshipResult(int ExitCode, string Stdout, string Stderr);

/// <summary>
/// Runs the built CLI as a user would (a real process), with a deadline so a hang fails the
/// test instead of blocking CI. <c>./test</c> builds it first through <c>./mship</c>.
/// </summary>
public static class MshipProcess
{
    public static string Binary => Path.Combine(Fixtures.RepositoryRoot(), "artifacts", "cli", "mship");

    public static async Task<MshipResult> RunAsync(IEnumerable<string> args, string? workingDirectory = null, TimeSpan? timeout = null,
        Action<Process>? onStarted = null, CancellationToken cancellationToken = default, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"{Binary} is missing: run ./mship --help (or ./test) once to build the CLI");
        }

        var info = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Fixtures.RepositoryRoot(),
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        onStarted?.Invoke(process);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"mship {string.Join(' ', info.ArgumentList)} did not finish in time; output so far:\n{stdout}\n{stderr}");
        }

        process.WaitForExit();
        return new MshipResult(process.ExitCode, stdout.ToString(), stderr.ToString());
    }
}
