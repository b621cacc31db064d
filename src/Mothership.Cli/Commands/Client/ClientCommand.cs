using System.CommandLine;
using System.Net;
using System.Text.Json;
using Mothership.Cli.Client;
using Mothership.Model.Validation;
using Mothership.Cli.Output;

namespace Mothership.Cli.Commands.Client;

/// <summary>
/// What every command that talks to <c>mship server</c> shares: the server is <c>--server</c>,
/// else <c>$MSHIP_SERVER</c>, else <c>http://127.0.0.1:8080</c>; the token is <c>--token</c>, else
/// <c>$MSHIP_TOKEN</c>.
/// </summary>
internal static class ClientCommand
{
    /// <summary>The commands of the server's client.</summary>
    public static IEnumerable<Command> All() =>
    [
        ApplyCommand.Create(), StartCommand.Create(), GetCommand.Create(), DescribeCommand.Create(), LogsCommand.Create(),
        CancelCommand.Create(), RerunCommand.Create(), DeleteCommand.Create(), PruneCommand.Create(), SitesCommand.Create(), PromoteCommand.Create(), RolloutCommand.Create(),
    ];

    private static readonly Option<string> ServerOption = new("--server")
    {
        Description = "the Mothership server (default $MSHIP_SERVER, else http://127.0.0.1:8080)",
        DefaultValueFactory = _ => DefaultServer,
        Recursive = true,
    };

    private static readonly Option<string?> TokenOption = new("--token")
    {
        Description = "bearer token for changes (default $MSHIP_TOKEN)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("MSHIP_TOKEN"),
        Recursive = true,
    };

    public static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };


    /// <summary>Adds <c>--server</c> and <c>--token</c> to <paramref name="command"/> and runs <paramref name="action"/> with a client: API errors become messages and exit codes, never stack traces.</summary>
    public static void Configure(Command command, Func<ParseResult, ApiClient, CancellationToken, Task<int>> action)
    {
        command.Options.Add(ServerOption);
        command.Options.Add(TokenOption);
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(ServerOption)!, parse.GetValue(TokenOption), client => action(parse, client, ct)));
    }

    /// <summary>The server to use when a command names none: <c>$MSHIP_SERVER</c>, else <c>http://127.0.0.1:8080</c>.</summary>
    public static string DefaultServer => Environment.GetEnvironmentVariable("MSHIP_SERVER") is { Length: > 0 } s ? s : "http://127.0.0.1:8080";

    /// <summary>Runs <paramref name="action"/> with a client of <paramref name="server"/>: API errors become messages and exit codes, never stack traces.</summary>
    public static async Task<int> RunAsync(string server, string? token, Func<ApiClient, Task<int>> action)
    {
        if (!ApiClient.IsServerUrl(server))
        {
            await Console.Error.WriteLineAsync($"mship: --server: {KubernetesNames.Quote(server)} is not an http(s) URL such as http://127.0.0.1:8080 (from --server or MSHIP_SERVER)")
                .ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        if (token is not null && token.Any(char.IsControl))
        {
            await Console.Error.WriteLineAsync("mship: --token: the token holds control characters (from --token or MSHIP_TOKEN)").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        using var client = new ApiClient(server, token);
        try
        {
            return await action(client).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"mship: {TerminalText.EscapeLines(e.Message)}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (ServerUnreachableException e)
        {
            await Console.Error.WriteLineAsync($"mship: {TerminalText.EscapeLines(e.Message)}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (ApiException e)
        {
            if (e.Diagnostics.Count == 0)
            {
                await Console.Error.WriteLineAsync($"mship: {TerminalText.EscapeLines(e.Detail())}").ConfigureAwait(false);
            }

            foreach (var d in e.Diagnostics)
            {
                await Console.Error.WriteLineAsync(TerminalText.Escape((string?)d["text"] ?? (string?)d["message"])).ConfigureAwait(false);
            }

            return e.Status == HttpStatusCode.ServiceUnavailable ? ExitCodes.RunFailed : ExitCodes.Usage;
        }
    }

    private static string Detail(this ApiException e) => e.Status switch
    {
        HttpStatusCode.Unauthorized => $"{e.Message}",
        HttpStatusCode.ServiceUnavailable => $"the server's database is unavailable: {e.Message}",
        _ => e.Message,
    };
}
