using System.CommandLine;
using Mothership.Cli.Commands;

namespace Mothership.Cli;

/// <summary>
/// The native <c>mship</c>: runs <c>run</c>, <c>validate</c>, <c>convert</c> and <c>--version</c> itself
/// and hands everything else to the ReadyToRun build beside it (<see cref="NativeCommands"/>).
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (!NativeCommands.Handles(args))
        {
            return JitFallback.Exec(args);
        }

        if (args is ["--version"])
        {
            Console.WriteLine(NativeCommands.Version);
            return ExitCodes.Success;
        }

        var root = new RootCommand("Mothership") { ValidateCommand.Create(), ConvertCommand.Create(), RunCommand.Create() };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // The ReadyToRun build knows every command and flag: it prints the same errors with the full usage hint.
            return JitFallback.Exec(args);
        }

        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("MSHIP_DEBUG") is null)
        {
            // As the ReadyToRun build's Program: a bug or an infrastructure failure, said without a stack trace.
            await Console.Error.WriteLineAsync($"mship: internal error: {e.GetType().Name}: {e.Message} (set MSHIP_DEBUG=1 for details)").ConfigureAwait(false);
            return 70;
        }
    }
}
