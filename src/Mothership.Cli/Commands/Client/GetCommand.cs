using System.CommandLine;
using System.Text.Json.Nodes;
using Mothership.Cli.Client;
using Mothership.Cli.Output;

namespace Mothership.Cli.Commands.Client;

/// <summary><c>mship get KIND [NAME]</c>: lists or shows runs, Pipelines, Tasks and StepActions.</summary>
internal static class GetCommand
{
    public static Command Create()
    {
        var kind = new Argument<string>("KIND") { Description = "pipelineruns (pr), taskruns (tr), pipelines, tasks, stepactions" };
        var name = new Argument<string?>("NAME") { Arity = ArgumentArity.ZeroOrOne };
        var output = new Option<string>("--output", "-o") { Description = "table, json or yaml (for a Task, Pipeline or StepAction: its document as applied)", DefaultValueFactory = _ => "table" };
        output.AcceptOnlyFromAmong("table", "json", "yaml");
        var pipeline = new Option<string?>("--pipeline") { Description = "only runs of this Pipeline (or Task)" };
        var status = new Option<string?>("--status") { Description = "only runs in these groups (Succeeded, Failed, Cancelled, Running, Pending) or with these reasons, comma-separated" };
        var selector = new Option<string?>("--selector", "-l") { Description = "label selector, e.g. app=web,env in (dev,stage)" };
        var since = new Option<string?>("--since") { Description = "created since: an RFC 3339 time or a duration such as 24h" };
        var limit = new Option<int>("--limit") { Description = "runs per page (default 50)", DefaultValueFactory = _ => 50 };
        var cursor = new Option<string?>("--cursor") { Description = "the next page, as printed after the previous one" };
        var watch = new Option<bool>("--watch", "-w") { Description = "with a run's NAME: print a line each time the run changes (pushed by the server) until it finishes" };
        var command = new Command("get", "List or show runs, Pipelines and Tasks") { kind, name, output, pipeline, status, selector, since, limit, cursor, watch };
        ClientCommand.Configure(command, async (parse, client, ct) =>
        {
            var segment = RunKinds.Segment(parse.GetValue(kind)!);
            if (segment is null)
            {
                await Console.Error.WriteLineAsync($"mship get: unknown kind '{TerminalText.Escape(parse.GetValue(kind))}'; use pipelineruns, taskruns, pipelines, tasks or stepactions").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var o = parse.GetValue(output)!;
            if (parse.GetValue(watch))
            {
                if (parse.GetValue(name) is not { } watched || !segment.EndsWith("runs", StringComparison.Ordinal) || o == "yaml")
                {
                    await Console.Error.WriteLineAsync("mship get: --watch needs a pipelinerun or taskrun NAME, and -o table or json").ConfigureAwait(false);
                    return ExitCodes.Usage;
                }

                return await WatchAsync(client, segment, watched, o, ct).ConfigureAwait(false);
            }

            if (parse.GetValue(name) is { } n)
            {
                var item = await client.GetAsync($"api/v1/{segment}/{Uri.EscapeDataString(n)}", ct).ConfigureAwait(false);
                if (o == "yaml" && item["document"] is { } doc)
                {
                    Console.Write(TerminalText.EscapeLines((string?)doc));
                }
                else if (o == "table" && segment.EndsWith("runs", StringComparison.Ordinal))
                {
                    RunTables.PrintRuns([RunTables.Summary(item)]);
                }
                else if (o == "yaml")
                {
                    Console.Write(TerminalText.EscapeLines(YamlOutput.Of(item)));
                }
                else
                {
                    Console.WriteLine(item.ToJsonString(ClientCommand.Indented));
                }

                return ExitCodes.Success;
            }

            var query = new List<string> { $"limit={parse.GetValue(limit)}" };
            void Add(string key, string? value)
            {
                if (!string.IsNullOrEmpty(value))
                {
                    query.Add($"{key}={Uri.EscapeDataString(value)}");
                }
            }

            Add("pipeline", parse.GetValue(pipeline));
            Add("status", parse.GetValue(status));
            Add("labelSelector", parse.GetValue(selector));
            Add("since", parse.GetValue(since));
            Add("cursor", parse.GetValue(cursor));
            var list = await client.GetAsync($"api/v1/{segment}?{string.Join('&', query)}", ct).ConfigureAwait(false);
            if (o != "table")
            {
                Console.Write(o == "yaml" ? TerminalText.EscapeLines(YamlOutput.Of(list)) : list.ToJsonString(ClientCommand.Indented) + "\n");
                return ExitCodes.Success;
            }

            var items = list["items"]!.AsArray().OfType<JsonObject>().ToList();
            if (segment.EndsWith("runs", StringComparison.Ordinal))
            {
                if (segment == "taskruns")
                {
                    RunTables.PrintTaskRuns(items);
                }
                else
                {
                    RunTables.PrintRuns(items);
                }

                if ((string?)list["nextCursor"] is { } next)
                {
                    Console.WriteLine($"(more: --cursor {TerminalText.Escape(next)})");
                }
            }
            else
            {
                RunTables.Table([["NAME", "GENERATION", "UPDATED"], .. items.Select(i => new[] { (string?)i["name"] ?? "", i["generation"]?.ToString() ?? "", (string?)i["updatedAt"] ?? "" })]);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// <c>get -w</c>: the run's summary as a table row (or a JSON line) each time it changes, as
    /// <c>kubectl get -w</c> prints; read from the server's stream of the run's changes, not polled.
    /// </summary>
    private static async Task<int> WatchAsync(ApiClient client, string segment, string name, string output, CancellationToken ct)
    {
        string[] header = ["NAME", "STATUS", "REASON", "STARTED", "DURATION"];
        int[]? widths = null;
        string? last = null;
        void Print(JsonObject run)
        {
            if (output == "json")
            {
                var text = run.ToJsonString();
                if (text != last)
                {
                    Console.WriteLine(text);
                    last = text;
                }

                return;
            }

            var row = RunTables.Row(run);
            var line = string.Join("\u0000", row);
            if (line == last)
            {
                return;
            }

            last = line;
            if (widths is null)
            {
                // Columns as wide as the first row needs (and a bit more for a reason that grows), as kubectl does.
                widths = [.. header.Select((h, i) => Math.Max(h.Length, row[i].Length) + (i == 2 ? 8 : 0))];
                Console.WriteLine(RunTables.Line(header, widths));
            }

            Console.WriteLine(RunTables.Line(row, widths));
        }

        var end = await RunWatchStream.ReadAsync(client, segment, name, Print, ct).ConfigureAwait(false);
        if (end is null)
        {
            await Console.Error.WriteLineAsync($"mship get: the server's stream of {TerminalText.Escape(name)} kept dropping before the run ended").ConfigureAwait(false);
            return ExitCodes.RunFailed;
        }

        Print(end);
        return ExitCodes.Success;
    }
}
