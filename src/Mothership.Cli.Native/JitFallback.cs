using Mothership.Executors.Local.Processes;

namespace Mothership.Cli;

/// <summary>
/// Hands a command line to the ReadyToRun (JIT) build of <c>mship</c> by <c>execve</c>: the same
/// process id, stdin, stdout, stderr, signals and exit code, as if it had been called directly.
/// </summary>
internal static class JitFallback
{
    /// <summary>Where the ReadyToRun build sits, relative to the native binary (./mship publishes both).</summary>
    public const string RelativePath = "jit/mship";

    /// <summary>Replaces this process with the ReadyToRun build; returns only when that fails (exit 70, said on stderr).</summary>
    public static int Exec(string[] args)
    {
        var path = Path.Combine(AppContext.BaseDirectory, RelativePath);
        var reason = ProcessImage.Replace(path, [path, .. args]);
        Console.Error.WriteLine($"mship: cannot start the ReadyToRun build {path}: {reason} (rebuild with ./mship)");
        return 70;
    }
}
