using System.CommandLine;
using System.Text.Json.Nodes;
using Mothership.Cli.Commands.Client;
using Mothership.Cli.Output;

namespace Mothership.Cli.Commands.Auth;

/// <summary><c>mship auth token create | list | revoke ID</c>: personal API tokens.</summary>
internal static class AuthTokenCommand
{
    public static Command Create() => new("token", "Personal API tokens: create (shown once), list, revoke")
    {
        CreateCommand(), ListCommand(), RevokeCommand(),
    };

    private static Command CreateCommand()
    {
        var description = new Option<string?>("--description") { Description = "what the token is for (shown in lists)" };
        var expiresIn = new Option<string?>("--expires-in") { Description = "its life: days (30d) or hours (720h); default 90d, at most 366d" };
        var owner = new Option<string?>("--owner") { Description = "whose token it is (default you; someone else only as admin)" };
        var command = new Command("create", "Create a personal API token and print it (the only time it is shown)") { description, expiresIn, owner };
        ClientCommand.Configure(command, async (parse, client, ct) =>
        {
            var request = new JsonObject
            {
                ["description"] = parse.GetValue(description),
                ["expiresIn"] = parse.GetValue(expiresIn),
                ["owner"] = parse.GetValue(owner),
            };
            var created = await client.PostAsync("api/v1/tokens", request.ToJsonString(), "application/json", ct).ConfigureAwait(false);
            // The token alone on stdout (for a pipe); what it is on stderr.
            await Console.Error.WriteLineAsync(
                    $"token {TerminalText.Escape((string?)created["id"])} for {TerminalText.Escape((string?)created["owner"])}, expires {TerminalText.Escape((string?)created["expiresAt"])}; "
                    + "it is shown only now: keep it in a secret store")
                .ConfigureAwait(false);
            Console.WriteLine((string?)created["token"]);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command ListCommand()
    {
        var command = new Command("list", "List your personal tokens (everyone's as admin), never their secrets");
        ClientCommand.Configure(command, async (_, client, ct) =>
        {
            var items = (await client.GetAsync("api/v1/tokens", ct).ConfigureAwait(false))["items"]!.AsArray();
            RunTables.Table([["ID", "OWNER", "STATE", "EXPIRES", "LAST USED", "DESCRIPTION"], .. items.Select(t => new[]
            {
                Text(t?["id"]), Text(t?["owner"]), Text(t?["state"]), Text(t?["expiresAt"]), Text(t?["lastUsedAt"]), Text(t?["description"]),
            })]);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command RevokeCommand()
    {
        var id = new Argument<string>("ID") { Description = "the token's id (mship auth token list)" };
        var command = new Command("revoke", "Revoke a personal token (yours, or any as admin): it stops working at once") { id };
        ClientCommand.Configure(command, async (parse, client, ct) =>
        {
            var revoked = await client.DeleteAsync($"api/v1/tokens/{Uri.EscapeDataString(parse.GetValue(id)!)}", ct).ConfigureAwait(false);
            Console.WriteLine($"token {TerminalText.Escape((string?)revoked["id"])} revoked");
            return ExitCodes.Success;
        });
        return command;
    }

    private static string Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : "-";
}
