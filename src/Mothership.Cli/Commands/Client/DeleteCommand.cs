using System.CommandLine;
using Mothership.Cli.Output;

namespace Mothership.Cli.Commands.Client;

/// <summary><c>mship delete KIND NAME...</c>: deletes runs (with their logs) or definitions.</summary>
internal static class DeleteCommand
{
    public static Command Create()
    {
        var kind = new Argument<string>("KIND") { Description = "pipelinerun, taskrun, pipeline, task or stepaction" };
        var names = new Argument<string[]>("NAME") { Arity = ArgumentArity.OneOrMore };
        var command = new Command("delete", "Delete runs (with their logs) or definitions") { kind, names };
        ClientCommand.Configure(command, async (parse, client, ct) =>
        {
            var segment = RunKinds.Segment(parse.GetValue(kind)!);
            if (segment is null)
            {
                await Console.Error.WriteLineAsync($"mship delete: unknown kind '{TerminalText.Escape(parse.GetValue(kind))}'").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            foreach (var n in parse.GetValue(names)!)
            {
                await client.DeleteAsync($"api/v1/{segment}/{Uri.EscapeDataString(n)}", ct).ConfigureAwait(false);
                Console.WriteLine($"{segment[..^1]}.tekton.dev/{TerminalText.Escape(n)} deleted");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
