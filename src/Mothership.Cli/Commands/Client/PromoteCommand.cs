using System.CommandLine;
using System.Text.Json.Nodes;
using Mothership.Cli.Output;

namespace Mothership.Cli.Commands.Client;

/// <summary><c>mship promote SITE --revision R</c>: the server opens or updates SITE's deployment pull request to propose R (older: a rollback).</summary>
internal static class PromoteCommand
{
    public static Command Create()
    {
        var site = new Argument<string>("SITE") { Description = "a site of an environment deployed by deployment pull requests" };
        var revision = new Option<string>("--revision") { Description = "the commit, tag or branch of the site repository to deploy (older than what the site runs: a rollback)", Required = true };
        var command = new Command("promote", "Open or update a site's deployment pull request to propose a revision") { site, revision };
        ClientCommand.Configure(command, async (parse, client, ct) =>
        {
            var body = new JsonObject { ["revision"] = parse.GetValue(revision) };
            var created = await client.PostAsync($"api/v1/sites/{Uri.EscapeDataString(parse.GetValue(site)!)}/promotions", body.ToJsonString(), "application/json", ct)
                .ConfigureAwait(false);
            var pr = created["pullRequest"]!;
            Console.WriteLine(TerminalText.Escape($"pull request #{pr["number"]} \"{pr["title"]}\" ({pr["head"]}) proposes {created["revision"]} for site {created["site"]}"));
            return ExitCodes.Success;
        });
        return command;
    }
}
