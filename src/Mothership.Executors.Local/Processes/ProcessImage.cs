using System.Collections;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Mothership.Executors.Local.Processes;

/// <summary>
/// Replaces this process's program with another by <c>execve</c>: the same process id, stdin,
/// stdout, stderr and signals, so whoever started this process (a shell, systemd, the kubelet)
/// sees the new program as the one it started. Used by the native <c>mship</c> to hand a command
/// to its ReadyToRun build, and by <c>mship server</c> to start again with the runtime settings
/// that only the environment can carry.
/// </summary>
public static partial class ProcessImage
{
    /// <summary>
    /// What starts this program again, before its arguments: its executable, then the entry
    /// assembly when that executable is the <c>dotnet</c> host (<c>dotnet X.dll …</c>; an apphost
    /// finds its assembly itself). Null when the executable is unknown.
    /// </summary>
    public static IReadOnlyList<string>? ThisProgram()
    {
        if (Environment.ProcessPath is not { } host)
        {
            return null;
        }

        return Path.GetFileNameWithoutExtension(host) == "dotnet" && Assembly.GetEntryAssembly()?.Location is { Length: > 0 } entry ? [host, entry] : [host];
    }

    /// <summary>
    /// Executes <paramref name="path"/> with <paramref name="argv"/> (its first element the
    /// program's name) and this process's environment plus <paramref name="extraEnvironment"/>.
    /// Returns only when that fails, with the system's reason.
    /// </summary>
    public static string Replace(string path, IReadOnlyList<string> argv, IReadOnlyDictionary<string, string>? extraEnvironment = null)
    {
        var args = new string?[argv.Count + 1];
        for (var i = 0; i < argv.Count; i++)
        {
            args[i] = argv[i];
        }

        // .NET keeps its own copy of the environment (Environment.SetEnvironmentVariable does not
        // reach libc's), so the new program's environment is passed whole.
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            variables[(string)entry.Key] = (string?)entry.Value ?? "";
        }

        foreach (var (key, value) in extraEnvironment ?? new Dictionary<string, string>())
        {
            variables[key] = value;
        }

        var environment = new string?[variables.Count + 1];
        var n = 0;
        foreach (var (key, value) in variables)
        {
            environment[n++] = $"{key}={value}";
        }

        Console.Out.Flush();
        Console.Error.Flush();
        _ = Execve(path, args, environment);
        return Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
    }

    [LibraryImport("libc", EntryPoint = "execve", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Execve(string path, string?[] argv, string?[] envp);
}
