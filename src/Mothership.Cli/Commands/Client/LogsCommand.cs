using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;
using Mothership.Cli.Client;
using Mothership.Cli.Output;
using Mothership.Engine.Status;

namespace Mothership.Cli.Commands.Client;

/// <summary><c>mship logs NAME [-f] [--task T] [--step S]</c>, and the log stream <c>start -F</c> and <c>rerun -F</c> follow.</summary>
internal static class LogsCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("NAME") { Description = "a PipelineRun (or TaskRun)" };
        var follow = new Option<bool>("--follow", "-f") { Description = "keep streaming until the run ends" };
        var task = new Option<string?>("--task") { Description = "only this pipeline task" };
        var step = new Option<string?>("--step") { Description = "only this step" };
        var command = new Command("logs", "Print a run's logs") { name, follow, task, step };
        ClientCommand.Configure(command, async (parse, client, ct) =>
        {
            var (segment, n) = await RunKinds.FindAsync(client, parse.GetValue(name)!, ct).ConfigureAwait(false);
            var filters = new StringBuilder();
            if (parse.GetValue(task) is { } t)
            {
                filters.Append("&task=").Append(Uri.EscapeDataString(t));
            }

            if (parse.GetValue(step) is { } s)
            {
                filters.Append("&step=").Append(Uri.EscapeDataString(s));
            }

            return parse.GetValue(follow)
                ? await FollowAsync(client, segment, n, ct, filters.ToString()).ConfigureAwait(false)
                : await PrintLogsAsync(client, segment, n, filters.ToString(), ct).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> PrintLogsAsync(ApiClient client, string segment, string name, string filters, CancellationToken ct)
    {
        using var response = await client.StreamAsync($"api/v1/{segment}/{Uri.EscapeDataString(name)}/logs?follow=false{filters}", ct).ConfigureAwait(false);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false));
        await using var output = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 64 * 1024);
        var buffer = new char[16 * 1024];
        var line = new StringBuilder();
        int read;
        while ((read = await reader.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            // Lines end at '\n' only: a step's '\r' (a progress bar) stays part of its line.
            for (var i = 0; i < read; i++)
            {
                line.Append(buffer[i]);
                if (buffer[i] == '\n')
                {
                    await output.WriteAsync(WithSafePrefix(line.ToString())).ConfigureAwait(false);
                    line.Clear();
                }
            }
        }

        await output.WriteAsync(WithSafePrefix(line.ToString())).ConfigureAwait(false);
        await output.FlushAsync(ct).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    /// <summary>A <c>[task/step] line</c>: the prefix (names from the server) escaped, the step's output as written.</summary>
    private static string WithSafePrefix(string line)
    {
        var end = line.StartsWith('[') ? line.IndexOf("] ", StringComparison.Ordinal) : -1;
        return end > 0 ? TerminalText.Escape(line[..(end + 2)]) + line[(end + 2)..] : line;
    }

    /// <summary>Streams the server-sent log events as <c>[task/step] line</c>; the exit code says how the run ended.</summary>
    public static async Task<int> FollowAsync(ApiClient client, string segment, string name, CancellationToken ct, string filters = "")
    {
        // The prefix names come from the server: escaped; the lines are the step's own output, as written.
        var end = await LogEventStream.ReadAsync(client, segment, name, filters, (_, prefix, lines) =>
        {
            foreach (var l in lines)
            {
                Console.Out.Write(prefix + (string?)l + "\n");
            }
        }, ct).ConfigureAwait(false);
        return LogEventStream.Ended(end, segment, name);
    }
}
