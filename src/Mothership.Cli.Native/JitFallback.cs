using System.Runtime.InteropServices;

namespace Mothership.Cli;

/// <summary>
/// Hands a command line to the ReadyToRun (JIT) build of <c>mship</c> by <c>execv</c>: the same
/// process id, stdin, stdout, stderr, signals and exit code, as if it had been called directly.
/// </summary>
internal static partial class JitFallback
{
    /// <summary>Where the ReadyToRun build sits, relative to the native binary (./mship publishes both).</summary>
    public const string RelativePath = "jit/mship";

    /// <summary>Replaces this process with the ReadyToRun build; returns only when that fails (exit 70, said on stderr).</summary>
    public static int Exec(string[] args)
    {
        var path = Path.Combine(AppContext.BaseDirectory, RelativePath);
        var argv = new string?[args.Length + 2];
        argv[0] = path;
        args.CopyTo(argv, 1);
        Console.Out.Flush();
        Console.Error.Flush();
        _ = Execv(path, argv);
        var errno = Marshal.GetLastPInvokeError();
        Console.Error.WriteLine($"mship: cannot start the ReadyToRun build {path}: {Marshal.GetPInvokeErrorMessage(errno)} (rebuild with ./mship)");
        return 70;
    }

    [LibraryImport("libc", EntryPoint = "execv", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Execv(string path, string?[] argv);
}
