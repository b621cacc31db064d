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
                    // A run named by generateName has no name yet: "hello-run-…".
                    var name = $"{item!["name"]}{((bool?)item["generateName"] == true ? "…" : "")}";
                    var reason = (string?)item["reason"] is { } why ? $" ({why})" : "";
                    // As kubectl prints them: Tekton's kinds with their API group, core kinds (ConfigMap, Secret) without.
                    var kind = (string)item["kind"]!;
                    var group = kind is "Task" or "Pipeline" or "StepAction" or "PipelineRun" or "TaskRun" ? ".tekton.dev" : "";
                    Console.WriteLine(TerminalText.Escape($"{kind.ToLowerInvariant()}{group}/{name} {item["outcome"]}{reason}"));
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
