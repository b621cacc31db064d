using System.CommandLine;
using System.Text.Json.Nodes;
using Mothership.Cli.Commands.Client;
using Mothership.Cli.Output;

namespace Mothership.Cli.Commands.Auth;

/// <summary><c>mship auth whoami</c>: the name, groups and source the server gives the --token's caller.</summary>
internal static class AuthWhoAmICommand
{
    public static Command Create()
    {
        var command = new Command("whoami", "Show who the server takes you for: name, groups, which credential said so (bootstrap, token, oidc), and your roles in its access policy");
        ClientCommand.Configure(command, async (_, client, ct) =>
        {
            var me = await client.GetAsync("api/v1/whoami", ct).ConfigureAwait(false);
            var groups = me["groups"] is JsonArray g ? string.Join(", ", g.Select(x => (string?)x)) : "";
            Console.WriteLine($"name:   {TerminalText.Escape((string?)me["name"])}");
            Console.WriteLine($"groups: {TerminalText.Escape(groups.Length > 0 ? groups : "-")}");
            Console.WriteLine($"source: {TerminalText.Escape((string?)me["source"])}");
            Console.WriteLine($"admin:  {((bool?)me["admin"] == true ? "yes" : "no")}");
            var roles = me["roles"] is JsonArray r ? string.Join(", ", r.Select(x => (string?)x)) : "";
            Console.WriteLine($"roles:  {TerminalText.Escape(roles.Length > 0 ? roles : "-")}");
            return ExitCodes.Success;
        });
        return command;
    }
}
