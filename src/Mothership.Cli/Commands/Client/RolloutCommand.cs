using System.CommandLine;
using System.Text.Json.Nodes;
using Mothership.Cli.Output;

namespace Mothership.Cli.Commands.Client;

/// <summary>
/// <c>mship rollout start|get|pause|resume|abort|approve|retry</c>: the server's rollouts of an
/// environment to a revision, wave by wave, and what people do to them.
/// </summary>
internal static class RolloutCommand
{
    public static Command Create()
    {
        var command = new Command("rollout", "Roll a revision out to an environment's sites wave by wave on the server, and follow or steer it");
        command.Subcommands.Add(Start());
        command.Subcommands.Add(Get());
        command.Subcommands.Add(Act("pause", "Pause a rollout: deploys under way finish, nothing new starts until resumed"));
        command.Subcommands.Add(Act("resume", "Resume a paused rollout"));
        command.Subcommands.Add(Act("abort", "Abort a rollout: sites not started are skipped, deploys under way finish"));
        command.Subcommands.Add(Approve());
        command.Subcommands.Add(Retry());
        return command;
    }

    private static Argument<string> Name() => new("NAME") { Description = "the rollout's name (mship rollout get lists them)" };

    private static string Path(string name, string action = "") => $"api/v1/rollouts/{Uri.EscapeDataString(name)}{action}";

    private static Command Start()
    {
        var environment = new Argument<string>("ENVIRONMENT") { Description = "an environment of cloud.yaml's promotion with a rollout policy" };
        var revision = new Option<string>("--revision") { Description = "the commit, tag or branch of the site repository to roll out (default: the default branch's tip)" };
        var command = new Command("start", "Start a rollout of a revision to an environment's sites") { environment, revision };
        ClientCommand.Configure(command, async (parse, client, ct) =>
        {
            var body = new JsonObject { ["environment"] = parse.GetValue(environment), ["revision"] = parse.GetValue(revision) };
            var created = await client.PostAsync("api/v1/rollouts", body.ToJsonString(), "application/json", ct).ConfigureAwait(false);
            Console.WriteLine(TerminalText.Escape($"rollout {created["name"]} of {created["environment"]} to {Short(created["revision"])}: {created["status"]} ({created["sites"]} sites)"));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Get()
    {
        var name = new Argument<string>("NAME") { Description = "a rollout (none: list them)", Arity = ArgumentArity.ZeroOrOne };
        var output = new Option<string>("--output", "-o") { Description = "text (a table) or json", DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "json");
        var command = new Command("get", "List the rollouts, or show one: its sites by wave with their states, the waiting gate and who may open it") { name, output };
        ClientCommand.Configure(command, async (parse, client, ct) =>
        {
            var json = parse.GetValue(output) == "json";
            if (parse.GetValue(name) is not { } one)
            {
                var items = (await client.GetAsync("api/v1/rollouts", ct).ConfigureAwait(false))["items"]!.AsArray();
                if (json)
                {
                    Console.WriteLine(items.ToJsonString(ClientCommand.Indented));
                    return ExitCodes.Success;
                }

                RunTables.Table([["NAME", "ENVIRONMENT", "REVISION", "STATUS", "SITES", "SUCCEEDED", "FAILED", "ACTOR", "CREATED"], .. items.Select(r => new[]
                {
                    Text(r?["name"]), Text(r?["environment"]), Short(r?["revision"]), Text(r?["status"]), Text(r?["sites"]), Text(r?["succeeded"]), Text(r?["failed"]),
                    Text(r?["actor"]), Text(r?["createdAt"]),
                })]);
                return ExitCodes.Success;
            }

            var rollout = await client.GetAsync(Path(one), ct).ConfigureAwait(false);
            if (json)
            {
                Console.WriteLine(rollout.ToJsonString(ClientCommand.Indented));
                return ExitCodes.Success;
            }

            Console.WriteLine(TerminalText.Escape($"rollout {rollout["name"]} of {rollout["environment"]} to {Short(rollout["revision"])} by {rollout["actor"]}: {rollout["status"]}"
                + (rollout["reason"] is { } reason ? $" ({reason})" : "")));
            if (rollout["window"] is JsonObject { } window && (bool?)window["open"] == false)
            {
                Console.WriteLine(TerminalText.Escape($"change windows closed; next opening {Text(window["nextOpening"])}"));
            }

            foreach (var gate in rollout["gates"]!.AsArray().Where(g => (bool?)g?["waiting"] == true))
            {
                Console.WriteLine(TerminalText.Escape($"{gate!["wave"]} waits for approval ({gate["gate"]}) by one of: {string.Join(", ", gate["roles"]!.AsArray().Select(Text))}"
                    + $" — mship rollout approve {rollout["name"]} --gate {gate["wave"]}"));
            }

            RunTables.Table([["WAVE", "SITE", "REGION", "STATE", "ATTEMPT", "RUN", "REASON"], .. rollout["sites"]!.AsArray().Select(s => new[]
            {
                Text(s?["wave"]), Text(s?["site"]), Text(s?["region"]), Text(s?["state"]), Text(s?["attempt"]), Text(s?["run"]), Text(s?["message"]),
            })]);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Act(string action, string description)
    {
        var name = Name();
        var command = new Command(action, description) { name };
        ClientCommand.Configure(command, async (parse, client, ct) =>
        {
            var rollout = await client.PostAsync(Path(parse.GetValue(name)!, "/" + action), "{}", "application/json", ct).ConfigureAwait(false);
            Console.WriteLine(TerminalText.Escape($"rollout {rollout["name"]}: {rollout["status"]}" + (rollout["reason"] is { } reason ? $" ({reason})" : "")));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Approve()
    {
        var name = Name();
        var gate = new Option<string>("--gate") { Description = "the wave whose gate to approve (wave-1, or before-wave-1; default: the gate that waits)" };
        var command = new Command("approve", "Approve a rollout's gate (you must hold one of its approver roles)") { name, gate };
        ClientCommand.Configure(command, async (parse, client, ct) =>
        {
            var body = new JsonObject { ["gate"] = parse.GetValue(gate) };
            var rollout = await client.PostAsync(Path(parse.GetValue(name)!, "/approve"), body.ToJsonString(), "application/json", ct).ConfigureAwait(false);
            Console.WriteLine(TerminalText.Escape($"rollout {rollout["name"]}: approved; {rollout["status"]}"));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Retry()
    {
        var name = Name();
        var site = new Option<string>("--site") { Description = "the failed site to deploy again (a new attempt)", Required = true };
        var command = new Command("retry", "Deploy a failed site of a rollout again; a halt it caused lifts") { name, site };
        ClientCommand.Configure(command, async (parse, client, ct) =>
        {
            var body = new JsonObject { ["site"] = parse.GetValue(site) };
            var rollout = await client.PostAsync(Path(parse.GetValue(name)!, "/retry"), body.ToJsonString(), "application/json", ct).ConfigureAwait(false);
            Console.WriteLine(TerminalText.Escape($"rollout {rollout["name"]}: {parse.GetValue(site)} retried; {rollout["status"]}"));
            return ExitCodes.Success;
        });
        return command;
    }

    private static string Text(JsonNode? node) => node is JsonValue v ? v.ToString() : "-";

    private static string Short(JsonNode? node) => Text(node) is { Length: > 12 } s ? s[..12] : Text(node);
}
