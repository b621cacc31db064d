using System.CommandLine;
using System.Text.Json.Nodes;
using Mothership.Model.Tekton.Vocabulary;
using Mothership.Cli.Output;

namespace Mothership.Cli.Commands.Client;

/// <summary><c>mship cancel NAME [--finally | --stop]</c>: Tekton's Cancelled, CancelledRunFinally, StoppedRunFinally.</summary>
internal static class CancelCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("NAME") { Description = "a PipelineRun (or TaskRun)" };
        var graceful = new Option<bool>("--finally") { Description = "cancel running tasks but run finally tasks (CancelledRunFinally)" };
        var stop = new Option<bool>("--stop") { Description = "let running tasks finish, start no new ones, run finally (StoppedRunFinally)" };
        var command = new Command("cancel", "Cancel a run (Tekton's Cancelled, CancelledRunFinally, StoppedRunFinally)") { name, graceful, stop };
        ClientCommand.Configure(command, async (parse, client, ct) =>
        {
            var (segment, n) = await RunKinds.FindAsync(client, parse.GetValue(name)!, ct).ConfigureAwait(false);
            var status = parse.GetValue(stop) ? SpecStatus.StoppedRunFinally : parse.GetValue(graceful) ? SpecStatus.CancelledRunFinally : SpecStatus.Cancelled;
            await client.PostAsync($"api/v1/{segment}/{Uri.EscapeDataString(n)}/cancel", new JsonObject { ["status"] = status }.ToJsonString(), "application/json", ct).ConfigureAwait(false);
            Console.WriteLine($"{segment[..^1]}.tekton.dev/{TerminalText.Escape(n)} {status}");
            return ExitCodes.Success;
        });
        return command;
    }
}
