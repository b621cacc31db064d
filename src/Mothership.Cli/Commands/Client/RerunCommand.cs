using System.CommandLine;
using Mothership.Cli.Output;

namespace Mothership.Cli.Commands.Client;

/// <summary>
/// <c>mship rerun NAME [--from-failed] [-F]</c>: runs a run again with the same spec and frozen
/// definitions; with <c>--from-failed</c>, a failed PipelineRun's succeeded tasks are reused, not run.
/// </summary>
internal static class RerunCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("NAME") { Description = "a PipelineRun (or TaskRun)" };
        var follow = new Option<bool>("--follow", "-F") { Description = "stream the new run's logs until it ends" };
        var fromFailed = new Option<bool>("--from-failed")
        {
            Description = "a PipelineRun that failed: reuse the tasks that succeeded (with their results), run the failed, cancelled and skipped ones and finally again",
        };
        var command = new Command("rerun", "Run a run again, with the same spec and the definitions it ran with") { name, fromFailed, follow };
        ClientCommand.Configure(command, async (parse, client, ct) =>
        {
            var (segment, n) = await RunKinds.FindAsync(client, parse.GetValue(name)!, ct).ConfigureAwait(false);
            var body = parse.GetValue(fromFailed) ? "{\"fromFailed\":true}" : null;
            var created = await client.PostAsync($"api/v1/{segment}/{Uri.EscapeDataString(n)}/rerun", body, "application/json", ct).ConfigureAwait(false);
            var createdName = (string)created["metadata"]!["name"]!;
            Console.WriteLine($"{segment[..^1]}.tekton.dev/{TerminalText.Escape(createdName)} created");
            return parse.GetValue(follow) ? await LogsCommand.FollowAsync(client, segment, createdName, ct).ConfigureAwait(false) : ExitCodes.Success;
        });
        return command;
    }
}
