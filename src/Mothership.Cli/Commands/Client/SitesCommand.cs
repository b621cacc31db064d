using System.CommandLine;
using System.Text.Json.Nodes;
using Mothership.Cli.Output;

namespace Mothership.Cli.Commands.Client;

/// <summary><c>mship sites</c> and <c>mship sites history SITE</c>: the server's sites, what each runs, and a site's deploys.</summary>
internal static class SitesCommand
{
    public static Command Create()
    {
        var output = Output();
        var command = new Command("sites", "List the sites of the server's site repository: environment, region, deployed revision, last result, drift, running deploy") { output };
        ClientCommand.Configure(command, async (parse, client, ct) =>
        {
            var items = (await client.GetAsync("api/v1/sites", ct).ConfigureAwait(false))["items"]!.AsArray();
            if (parse.GetValue(output) == "json")
            {
                Console.WriteLine(items.ToJsonString(ClientCommand.Indented));
                return ExitCodes.Success;
            }

            RunTables.Table([["SITE", "ENVIRONMENT", "REGION", "REVISION", "DEPLOYED", "LAST RESULT", "DRIFT", "RUNNING", "DEPLOYMENT PR"], .. items.Select(s => new[]
            {
                Text(s?["name"]), Text(s?["environment"]), Text(s?["region"]), Short(s?["revision"]), Text(s?["deployedAt"]), Text(s?["lastResult"]),
                Drift(s?["drift"]),
                s?["runningDeploy"] is JsonObject running ? Text(running["run"]?["name"]) : "-",
                s?["deploymentPullRequest"] is JsonObject pr ? $"#{pr["number"]} → {Short(pr["revision"])}" : "-",
            })]);
            return ExitCodes.Success;
        });
        command.Subcommands.Add(History());
        return command;
    }

    private static Command History()
    {
        var site = new Argument<string>("SITE") { Description = "a site of the repository" };
        var limit = new Option<int>("--limit") { Description = "at most this many deploys, newest first (default 50)", DefaultValueFactory = _ => 50 };
        var output = Output();
        var command = new Command("history", "A site's deploys, newest first: revisions, run, who asked, when, result") { site, limit, output };
        ClientCommand.Configure(command, async (parse, client, ct) =>
        {
            var path = $"api/v1/sites/{Uri.EscapeDataString(parse.GetValue(site)!)}/history?limit={parse.GetValue(limit)}";
            var items = (await client.GetAsync(path, ct).ConfigureAwait(false))["items"]!.AsArray();
            if (parse.GetValue(output) == "json")
            {
                Console.WriteLine(items.ToJsonString(ClientCommand.Indented));
                return ExitCodes.Success;
            }

            RunTables.Table([["REQUESTED", "FROM", "TO", "RUN", "ACTOR", "SOURCE", "RESULT"], .. items.Select(d => new[]
            {
                Text(d?["requestedAt"]), Short(d?["fromRevision"]), Short(d?["toRevision"]), Text(d?["run"]?["name"]), Text(d?["actor"]), Text(d?["source"]),
                d?["result"] is null ? "Running" : Text(d["result"]) + ((bool?)d["dryRun"] == true ? " (dry run)" : ""),
            })]);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Option<string> Output()
    {
        var output = new Option<string>("--output", "-o") { Description = "text (a table) or json", DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "json");
        return output;
    }

    private static string Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : "-";

    /// <summary>A commit id as people read it: its first 12 characters.</summary>
    private static string Short(JsonNode? node) => Text(node) is { Length: > 12 } s && s != "-" ? s[..12] : Text(node);

    /// <summary>The drift column: the state, with the services out of sync or unknown (<c>OutOfSync (ident, image)</c>); <c>-</c> when never checked.</summary>
    private static string Drift(JsonNode? drift)
    {
        if (drift is not JsonObject d)
        {
            return "-";
        }

        var off = (d["services"] as JsonArray ?? []).Where(s => Text(s?["state"]) != "InSync").Select(s => Text(s?["name"])).ToList();
        return off.Count == 0 ? Text(d["state"]) : $"{Text(d["state"])} ({string.Join(", ", off)})";
    }
}
