using System.CommandLine;
using Mothership.Cli.Commands;
using Mothership.Cli.Commands.Auth;
using Mothership.Cli.Commands.Ci;
using Mothership.Cli.Commands.Client;
using Mothership.Cli.Commands.Cloud;
using Mothership.Cli.Commands.Releases;

namespace Mothership.Cli;

/// <summary>The <c>mship</c> command: exit 0 success, 1 the run failed, 2 invalid input or usage.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("Mothership: Tekton (v1, v1beta1) pipelines on one machine or on Kubernetes, and the cloud they deploy.")
        {
            ValidateCommand.Create(),
            ConvertCommand.Create(),
            RunCommand.Create(),
            ServerCommand.Create(),
            CiCommand.Create(),
            ReleaseNotesCommand.Create(),
            AuthCommand.Create(),
        };
        foreach (var command in ClientCommand.All().Concat([PlanCommand.Create(), RenderCommand.Create(), DeployCommand.Create(), ExportCommand.Create()]))
        {
            root.Subcommands.Add(command);
        }

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                await Console.Error.WriteLineAsync($"mship: {error.Message}").ConfigureAwait(false);
            }

            await Console.Error.WriteLineAsync("Run 'mship --help' for usage.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        try
        {
            // Ctrl-C is handled by the run command itself (cancel, then run finally), not by the parser.
            return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false }).ConfigureAwait(false);
        }
        catch (Mothership.Executors.Kubernetes.KubernetesConfigException e)
        {
            await Console.Error.WriteLineAsync($"mship: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("MSHIP_DEBUG") is null)
        {
            // A bug or an infrastructure failure, never a user mistake (those are diagnostics):
            // say what happened without a stack trace; MSHIP_DEBUG=1 shows it.
            await Console.Error.WriteLineAsync($"mship: internal error: {e.GetType().Name}: {e.Message} (set MSHIP_DEBUG=1 for details)").ConfigureAwait(false);
            return 70;
        }
    }
}
