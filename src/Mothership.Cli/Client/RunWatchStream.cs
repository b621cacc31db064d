using System.Text.Json.Nodes;

namespace Mothership.Cli.Client;

/// <summary>
/// The server-sent changes of one run (<c>…/watch</c>): a <c>run</c> event (the run's list
/// summary) for each change, graph events for the dashboard (skipped here), and an <c>end</c>
/// event once the run has finished. Read by <c>mship get -w</c>.
/// </summary>
internal static class RunWatchStream
{
    /// <summary>How often a stream that dropped before the run's end is opened again (a server restart, a proxy's timeout).</summary>
    private const int Reconnects = 5;

    /// <summary>
    /// Calls <paramref name="onRun"/> with each <c>run</c> event's summary until the run ends;
    /// returns the <c>end</c> event's data, or null when the stream kept dropping.
    /// </summary>
    public static async Task<JsonObject?> ReadAsync(ApiClient client, string segment, string name, Action<JsonObject> onRun, CancellationToken ct)
    {
        for (var attempt = 0; attempt <= Reconnects; attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
            }

            using var response = await client.StreamAsync($"api/v1/{segment}/{Uri.EscapeDataString(name)}/watch", ct).ConfigureAwait(false);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false));
            string? eventName = null;
            try
            {
                while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
                {
                    if (line.StartsWith("event: ", StringComparison.Ordinal))
                    {
                        eventName = line[7..];
                    }
                    else if (line.StartsWith("data: ", StringComparison.Ordinal) && eventName is "run" or "end")
                    {
                        var data = JsonNode.Parse(line[6..])!.AsObject();
                        if (eventName == "end")
                        {
                            return data;
                        }

                        onRun(data);
                    }
                }
            }
            catch (IOException)
            {
                // The connection dropped: open the stream again.
            }
        }

        return null;
    }
}
