using System.Diagnostics;

namespace Mothership.Testing;

/// <summary>Runs the real <c>git</c> for tests that build repositories: its output, or an exception with git's own error.</summary>
public static class GitCommand
{
    public static string Run(string workingDirectory, params string[] args) => RunAsync(workingDirectory, args).GetAwaiter().GetResult();

    public static async Task<string> RunAsync(string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo("git") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var git = Process.Start(info)!;
        var error = git.StandardError.ReadToEndAsync();
        var output = git.StandardOutput.ReadToEndAsync();
        await git.WaitForExitAsync().ConfigureAwait(false);
        return git.ExitCode == 0 ? await output.ConfigureAwait(false) : throw new InvalidOperationException($"git {string.Join(' ', args)}: {await error.ConfigureAwait(false)}");
    }
}
