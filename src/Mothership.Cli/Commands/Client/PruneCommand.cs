using System.CommandLine;
using System.Text.Json.Nodes;
using Mothership.Cli.Output;

namespace Mothership.Cli.Commands.Client;

/// <summary><c>mship prune</c>: deletes finished runs by the server's retention policy or the one given.</summary>
internal static class PruneCommand
{
    public static Command Create()
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "list what would be deleted, delete nothing" };
        var keepLast = new Option<int?>("--keep-last") { Description = "keep this many successful runs per pipeline" };
        var keepLastFailed = new Option<int?>("--keep-last-failed") { Description = "keep this many failed runs per pipeline (default --keep-last)" };
        var maxAge = new Option<string?>("--max-age") { Description = "delete successful runs completed longer ago, e.g. 720h" };
        var failedMaxAge = new Option<string?>("--failed-max-age") { Description = "delete failed runs completed longer ago (default --max-age)" };
        var command = new Command("prune", "Delete finished runs and their logs by the retention policy (the server's, or the one given here)")
        {
            dryRun, keepLast, keepLastFailed, maxAge, failedMaxAge,
        };
        ClientCommand.Configure(command, async (parse, client, ct) =>
        {
            var policy = new JsonObject();
            if (parse.GetValue(keepLast) is { } k)
            {
                policy["keepLast"] = k;
            }

            if (parse.GetValue(keepLastFailed) is { } kf)
            {
                policy["keepLastFailed"] = kf;
            }

            if (parse.GetValue(maxAge) is { } a)
            {
                policy["maxAge"] = a;
            }

            if (parse.GetValue(failedMaxAge) is { } fa)
            {
                policy["failedMaxAge"] = fa;
            }

            var dry = parse.GetValue(dryRun);
            var result = await client.PostAsync($"api/v1/prune?dryRun={(dry ? "true" : "false")}", policy.Count > 0 ? policy.ToJsonString() : null, "application/json", ct).ConfigureAwait(false);
            var deleted = result["deleted"]!.AsArray().OfType<JsonObject>().ToList();
            foreach (var r in deleted)
            {
                Console.WriteLine($"{TerminalText.Escape(((string)r["kind"]!).ToLowerInvariant())}.tekton.dev/{TerminalText.Escape(r["name"])} {(dry ? "would be deleted" : "deleted")}");
            }

            Console.WriteLine($"{deleted.Count} run(s) {(dry ? "would be deleted" : "deleted")}, with {TerminalText.Escape(result["logChunks"])} log chunk(s)");
            if (result["deliveries"] is JsonValue d && d.TryGetValue<int>(out var deliveries) && deliveries > 0)
            {
                Console.WriteLine($"{deliveries} handled webhook deliver{(deliveries == 1 ? "y" : "ies")} older than the server's Retention:DeliveryMaxAge {(dry ? "would be deleted" : "deleted")}");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
