using System.Text.Json.Nodes;
using Mothership.Cli.Output;
using Mothership.Engine.Status;

namespace Mothership.Cli.Client;

/// <summary>
/// The server-sent log events of a run (<c>…/logs?follow=true</c>): each batch of a step's lines,
/// then an <c>end</c> event with how the run ended. Read by <c>mship logs -f</c>, <c>start -F</c>
/// (plain lines) and the progress view (the last lines of each task).
/// </summary>
internal static class LogEventStream
{
    /// <summary>
    /// Reads the stream until its <c>end</c> event, calling <paramref name="onLines"/> with the pipeline
    /// task (or TaskRun) name, the <c>[task/step] </c> prefix (server names escaped) and the lines as
    /// the step wrote them; returns the <c>end</c> event's data, or null when the stream stopped first.
    /// </summary>
    public static async Task<JsonNode?> ReadAsync(ApiClient client, string segment, string name, string filters, Action<string, string, JsonArray> onLines, CancellationToken ct)
    {
        using var response = await client.StreamAsync($"api/v1/{segment}/{Uri.EscapeDataString(name)}/logs?follow=true{filters}", ct).ConfigureAwait(false);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false));
        string? eventName = null;
        while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                eventName = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                var data = JsonNode.Parse(line[6..])!;
                if (eventName == "end")
                {
                    return data;
                }

                var task = (string?)data["pipelineTask"] ?? (string)data["taskRun"]!;
                onLines(task, TerminalText.Escape(LogPrefix.Of(task, (string)data["container"]!)), data["lines"]!.AsArray());
            }
        }

        return null;
    }

    /// <summary>The line <c>mship: pipelinerun NAME REASON</c> (on stderr) that ends a followed run, and its exit code.</summary>
    public static int Ended(JsonNode? end, string segment, string name)
    {
        if (end is null)
        {
            Console.Error.WriteLine("mship: the log stream ended before the run did (server stopped?)");
            return ExitCodes.RunFailed;
        }

        Console.Error.WriteLine($"mship: {segment[..^1]} {TerminalText.Escape(name)} {TerminalText.Escape(end["reason"])}");
        return (string?)end["status"] == "True" ? ExitCodes.Success : ExitCodes.RunFailed;
    }
}
