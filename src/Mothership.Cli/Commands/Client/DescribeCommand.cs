using System.CommandLine;
using System.Text.Json.Nodes;
using Mothership.Cli.Output;
using Mothership.Model.Tekton.Vocabulary;

namespace Mothership.Cli.Commands.Client;

/// <summary><c>mship describe pr|tr NAME</c>: a run's status, tasks, skipped tasks, results and events.</summary>
internal static class DescribeCommand
{
    public static Command Create()
    {
        var kind = new Argument<string>("KIND") { Description = "pipelinerun (pr) or taskrun (tr)" };
        var name = new Argument<string>("NAME");
        var command = new Command("describe", "Show a run: status, tasks, results and events") { kind, name };
        ClientCommand.Configure(command, async (parse, client, ct) =>
        {
            var segment = RunKinds.Segment(parse.GetValue(kind)!);
            if (segment is not ("pipelineruns" or "taskruns"))
            {
                await Console.Error.WriteLineAsync("mship describe: KIND is pipelinerun or taskrun").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var n = Uri.EscapeDataString(parse.GetValue(name)!);
            var run = await client.GetAsync($"api/v1/{segment}/{n}", ct).ConfigureAwait(false);
            var events = await client.GetAsync($"api/v1/{segment}/{n}/events", ct).ConfigureAwait(false);
            var condition = run["status"]?["conditions"]?[0];
            Console.WriteLine($"Name:        {TerminalText.Escape(run["metadata"]?["name"])}");
            Console.WriteLine($"UID:         {TerminalText.Escape(run["metadata"]?["uid"])}");
            Console.WriteLine($"Created:     {TerminalText.Escape(run["metadata"]?["creationTimestamp"])}");
            Console.WriteLine($"Started:     {TerminalText.Escape(run["status"]?["startTime"])}");
            Console.WriteLine($"Completed:   {TerminalText.Escape(run["status"]?["completionTime"])}");
            Console.WriteLine($"Status:      {TerminalText.Escape(condition?["status"])} ({TerminalText.Escape(condition?["reason"])})");
            if ((string?)condition?["message"] is { Length: > 0 } message)
            {
                Console.WriteLine($"Message:     {TerminalText.Escape(message)}");
            }

            if (run["status"]?["taskRuns"] is JsonObject taskRuns && taskRuns.Count > 0)
            {
                Console.WriteLine();
                RunTables.Table([["TASK", "TASKRUN", "STATUS", "REASON"], .. taskRuns.Select(kv => new[]
                {
                    (string?)kv.Value!["pipelineTaskName"] ?? "", kv.Key,
                    (string?)kv.Value["status"]?["conditions"]?[0]?["status"] ?? "",
                    RunTables.Reason((string?)kv.Value["status"]?["conditions"]?[0]?["reason"], (string?)kv.Value["metadata"]?["annotations"]?[MothershipLabels.ReusedFrom]),
                })]);
            }

            if (run["status"]?["skippedTasks"] is JsonArray skipped && skipped.Count > 0)
            {
                Console.WriteLine();
                RunTables.Table([["SKIPPED", "REASON"], .. skipped.Select(s => new[] { (string?)s?["name"] ?? "", (string?)s?["reason"] ?? "" })]);
            }

            if (run["status"]?["results"] is JsonArray results && results.Count > 0)
            {
                Console.WriteLine();
                RunTables.Table([["RESULT", "VALUE"], .. results.Select(r => new[] { (string?)r?["name"] ?? "", r?["value"] is JsonValue v && v.TryGetValue<string>(out var text) ? text : r?["value"]?.ToJsonString() ?? "" })]);
            }

            if (events["items"] is JsonArray items && items.Count > 0)
            {
                Console.WriteLine();
                RunTables.Table([["TIME", "TYPE", "REASON", "MESSAGE"], .. items.Select(e => new[] { (string?)e?["time"] ?? "", (string?)e?["type"] ?? "", (string?)e?["reason"] ?? "", (string?)e?["message"] ?? "" })]);
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
