using System.CommandLine;
using Mothership.Cli.Client;
using Mothership.Cli.Output;

namespace Mothership.Cli.Commands.Client;

/// <summary><c>mship apply -f FILE...</c>: creates or updates Tasks, Pipelines and StepActions on the server.</summary>
internal static class ApplyCommand
{
    public static Command Create()
    {
        var files = new Option<string[]>("--file", "-f") { Description = "YAML files (or directories) with Tasks, Pipelines, StepActions", Required = true, AllowMultipleArgumentsPerToken = true };
        var command = new Command("apply", "Create or update Tasks, Pipelines and StepActions on the server") { files };
        ClientCommand.Configure(command, async (parse, client, ct) =>
        {
            var bundle = RequestBundle.Read(parse.GetValue(files)!);
            if (bundle is null)
            {
                return ExitCodes.Usage;
            }

            try
            {
                var result = await client.PostAsync("api/v1/apply", bundle.Text, "application/yaml", ct).ConfigureAwait(false);
                foreach (var item in result["items"]!.AsArray())
                {
                    Console.WriteLine(TerminalText.Escape($"{((string)item!["kind"]!).ToLowerInvariant()}.tekton.dev/{item["name"]} {item["outcome"]}"));
                }

                return ExitCodes.Success;
            }
            catch (ApiException e) when (e.Diagnostics.Count > 0)
            {
                bundle.PrintDiagnostics(e.Diagnostics);
                return ExitCodes.Usage;
            }
        });
        return command;
    }
}
