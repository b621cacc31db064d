using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mothership.Cli.Client;
using Mothership.Model.Diagnostics;

namespace Mothership.Cli.Commands;

/// <summary>
/// The CLI as a client of <c>mship server</c>: apply, start, get, describe, logs, cancel, rerun,
/// delete, prune. The server is <c>--server</c>, else <c>$MSHIP_SERVER</c>, else
/// <c>http://127.0.0.1:8080</c>; the token is <c>--token</c>, else <c>$MSHIP_TOKEN</c>.
/// </summary>
internal static class ClientCommands
{
    private static readonly Option<string> ServerOption = new("--server")
    {
        Description = "the Mothership server (default $MSHIP_SERVER, else http://127.0.0.1:8080)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("MSHIP_SERVER") is { Length: > 0 } s ? s : "http://127.0.0.1:8080",
        Recursive = true,
    };

    private static readonly Option<string?> TokenOption = new("--token")
    {
        Description = "bearer token for changes (default $MSHIP_TOKEN)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("MSHIP_TOKEN"),
        Recursive = true,
    };

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static IEnumerable<Command> Create() =>
        [Apply(), Start(), Get(), Describe(), Logs(), Cancel(), Rerun(), Delete(), Prune()];

    /// <summary>Runs a client command: API errors become messages and exit codes, never stack traces.</summary>
    private static void Action(Command command, Func<ParseResult, ApiClient, CancellationToken, Task<int>> action)
    {
        command.Options.Add(ServerOption);
        command.Options.Add(TokenOption);
        command.SetAction(async (parse, ct) =>
        {
            using var client = new ApiClient(parse.GetValue(ServerOption)!, parse.GetValue(TokenOption));
            try
            {
                return await action(parse, client, ct).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                await Console.Error.WriteLineAsync($"mship: {e.Message}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }
            catch (ServerUnreachableException e)
            {
                await Console.Error.WriteLineAsync($"mship: {e.Message}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }
            catch (ApiException e)
            {
                if (e.Diagnostics.Count == 0)
                {
                    await Console.Error.WriteLineAsync($"mship: {e.Detail()}").ConfigureAwait(false);
                }

                foreach (var d in e.Diagnostics)
                {
                    await Console.Error.WriteLineAsync((string?)d["text"] ?? (string?)d["message"]).ConfigureAwait(false);
                }

                return e.Status == HttpStatusCode.ServiceUnavailable ? ExitCodes.RunFailed : ExitCodes.Usage;
            }
        });
    }

    private static string Detail(this ApiException e) => e.Status switch
    {
        HttpStatusCode.Unauthorized => $"{e.Message}",
        HttpStatusCode.ServiceUnavailable => $"the server's database is unavailable: {e.Message}",
        _ => e.Message,
    };

    // ---- apply ---------------------------------------------------------------------------------

    private static Command Apply()
    {
        var files = new Option<string[]>("--file", "-f") { Description = "YAML files (or directories) with Tasks, Pipelines, StepActions", Required = true, AllowMultipleArgumentsPerToken = true };
        var command = new Command("apply", "Create or update Tasks, Pipelines and StepActions on the server") { files };
        Action(command, async (parse, client, ct) =>
        {
            var bundle = Bundle.Read(parse.GetValue(files)!);
            if (bundle is null)
            {
                return ExitCodes.Usage;
            }

            try
            {
                var result = await client.PostAsync("api/v1/apply", bundle.Text, "application/yaml", ct).ConfigureAwait(false);
                foreach (var item in result["items"]!.AsArray())
                {
                    Console.WriteLine($"{((string)item!["kind"]!).ToLowerInvariant()}.tekton.dev/{item["name"]} {item["outcome"]}");
                }

                return ExitCodes.Success;
            }
            catch (ApiException e) when (e.Diagnostics.Count > 0)
            {
                bundle.PrintDiagnostics(e.Diagnostics);
                return ExitCodes.Usage;
            }
        });
        return command;
    }

    // ---- start ---------------------------------------------------------------------------------

    private static Command Start()
    {
        var pipeline = new Argument<string?>("PIPELINE") { Description = "the Pipeline (or with --task, the Task) to start", Arity = ArgumentArity.ZeroOrOne };
        var files = new Option<string[]>("--file", "-f") { Description = "create the PipelineRun or TaskRun in these files instead", AllowMultipleArgumentsPerToken = true };
        var parameters = new Option<string[]>("--param", "-p") { Description = "NAME=VALUE; a value starting with [ or { is a JSON array or object" };
        var workspaces = new Option<string[]>("--workspace", "-w") { Description = "NAME=emptyDir, NAME=volumeClaimTemplate or NAME=pvc:CLAIM" };
        var task = new Option<bool>("--task") { Description = "PIPELINE names a Task: start a TaskRun" };
        var pending = new Option<bool>("--pending") { Description = "create the run pending; start it later with 'mship start --run NAME'" };
        var run = new Option<string?>("--run") { Description = "start this pending PipelineRun" };
        var labels = new Option<string[]>("--label", "-l") { Description = "KEY=VALUE labels on the run" };
        var follow = new Option<bool>("--follow", "-F") { Description = "stream the logs until the run ends; exit 0 if it succeeded, 1 if not" };
        var command = new Command("start", "Start a Pipeline (or Task) on the server") { pipeline, files, parameters, workspaces, task, pending, run, labels, follow };
        Action(command, async (parse, client, ct) =>
        {
            if (parse.GetValue(run) is { } pendingName)
            {
                await client.PostAsync($"api/v1/pipelineruns/{Uri.EscapeDataString(pendingName)}/start", null, "application/json", ct).ConfigureAwait(false);
                Console.WriteLine($"pipelinerun.tekton.dev/{pendingName} started");
                return parse.GetValue(follow) ? await FollowAsync(client, "pipelineruns", pendingName, ct).ConfigureAwait(false) : ExitCodes.Success;
            }

            Bundle? bundle;
            var isTask = parse.GetValue(task);
            if (parse.GetValue(files) is { Length: > 0 } paths)
            {
                bundle = Bundle.Read(paths);
            }
            else if (parse.GetValue(pipeline) is { } name)
            {
                bundle = Bundle.Generated(RunDocument(name, isTask, parse.GetValue(parameters) ?? [], parse.GetValue(workspaces) ?? [], parse.GetValue(labels) ?? [], parse.GetValue(pending)));
            }
            else
            {
                await Console.Error.WriteLineAsync("mship start: name a PIPELINE, or give -f FILE, or --run NAME").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            if (bundle is null)
            {
                return ExitCodes.Usage;
            }

            var kinds = isTask || bundle.Text.Contains("kind: TaskRun", StringComparison.Ordinal) ? "taskruns" : "pipelineruns";
            JsonNode created;
            try
            {
                created = await client.PostAsync($"api/v1/{kinds}", bundle.Text, "application/yaml", ct).ConfigureAwait(false);
            }
            catch (ApiException e) when (e.Diagnostics.Count > 0)
            {
                bundle.PrintDiagnostics(e.Diagnostics);
                return ExitCodes.Usage;
            }

            var createdName = (string)created["metadata"]!["name"]!;
            Console.WriteLine($"{kinds[..^1]}.tekton.dev/{createdName} created");
            return parse.GetValue(follow) ? await FollowAsync(client, kinds, createdName, ct).ConfigureAwait(false) : ExitCodes.Success;
        });
        return command;
    }

    private static string RunDocument(string name, bool task, string[] parameters, string[] workspaces, string[] labels, bool pending)
    {
        var kind = task ? "TaskRun" : "PipelineRun";
        var spec = new JsonObject { [task ? "taskRef" : "pipelineRef"] = new JsonObject { ["name"] = name } };
        var ps = new JsonArray();
        foreach (var p in parameters)
        {
            var eq = p.IndexOf('=', StringComparison.Ordinal);
            var (key, value) = eq > 0 ? (p[..eq], p[(eq + 1)..]) : (p, "");
            JsonNode? v = JsonValue.Create(value);
            var trimmed = value.TrimStart();
            if (trimmed.StartsWith('[') || trimmed.StartsWith('{'))
            {
                try
                {
                    v = JsonNode.Parse(value);
                }
                catch (JsonException)
                {
                    // Sent as a string; the server's validation says what is wrong with it.
                }
            }

            ps.Add(new JsonObject { ["name"] = key, ["value"] = v });
        }

        if (ps.Count > 0)
        {
            spec["params"] = ps;
        }

        if (workspaces.Length > 0)
        {
            spec["workspaces"] = new JsonArray([.. workspaces.Select(Workspace)]);
        }

        if (pending)
        {
            spec["status"] = task ? "TaskRunPending" : "PipelineRunPending";
        }

        var metadata = new JsonObject { ["generateName"] = $"{name}-run-" };
        if (labels.Length > 0)
        {
            metadata["labels"] = new JsonObject(labels.Select(l => l.Split('=', 2)).Select(kv => KeyValuePair.Create(kv[0], (JsonNode?)JsonValue.Create(kv.Length > 1 ? kv[1] : ""))));
        }

        return new JsonObject { ["apiVersion"] = "tekton.dev/v1", ["kind"] = kind, ["metadata"] = metadata, ["spec"] = spec }.ToJsonString();
    }

    /// <summary>A workspace binding as <c>tkn</c> users write it, in Tekton's YAML shape.</summary>
    private static JsonNode Workspace(string text)
    {
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        var (name, source) = eq > 0 ? (text[..eq], text[(eq + 1)..]) : (text, "emptyDir");
        var binding = new JsonObject { ["name"] = name };
        if (source == "emptyDir")
        {
            binding["emptyDir"] = new JsonObject();
        }
        else if (source == "volumeClaimTemplate")
        {
            binding["volumeClaimTemplate"] = new JsonObject { ["spec"] = new JsonObject { ["accessModes"] = new JsonArray("ReadWriteOnce"), ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["storage"] = "1Gi" } } } };
        }
        else if (source.StartsWith("pvc:", StringComparison.Ordinal))
        {
            binding["persistentVolumeClaim"] = new JsonObject { ["claimName"] = source[4..] };
        }
        else
        {
            throw new ArgumentException($"workspace '{text}': use NAME=emptyDir, NAME=volumeClaimTemplate or NAME=pvc:CLAIM (a server's runs cannot bind this machine's directories)");
        }

        return binding;
    }

    // ---- get / describe ------------------------------------------------------------------------

    private static Command Get()
    {
        var kind = new Argument<string>("KIND") { Description = "pipelineruns (pr), taskruns (tr), pipelines, tasks, stepactions" };
        var name = new Argument<string?>("NAME") { Arity = ArgumentArity.ZeroOrOne };
        var output = new Option<string>("--output", "-o") { Description = "table, json or yaml (the document of a Task or Pipeline)", DefaultValueFactory = _ => "table" };
        output.AcceptOnlyFromAmong("table", "json", "yaml");
        var pipeline = new Option<string?>("--pipeline") { Description = "only runs of this Pipeline (or Task)" };
        var status = new Option<string?>("--status") { Description = "only runs with these reasons, comma-separated (Succeeded,Failed,Running,…)" };
        var selector = new Option<string?>("--selector", "-l") { Description = "label selector, e.g. app=web,env in (dev,stage)" };
        var since = new Option<string?>("--since") { Description = "created since: an RFC 3339 time or a duration such as 24h" };
        var limit = new Option<int>("--limit") { Description = "runs per page (default 50)", DefaultValueFactory = _ => 50 };
        var cursor = new Option<string?>("--cursor") { Description = "the next page, as printed after the previous one" };
        var command = new Command("get", "List or show runs, Pipelines and Tasks") { kind, name, output, pipeline, status, selector, since, limit, cursor };
        Action(command, async (parse, client, ct) =>
        {
            var segment = Segment(parse.GetValue(kind)!);
            if (segment is null)
            {
                await Console.Error.WriteLineAsync($"mship get: unknown kind '{parse.GetValue(kind)}'; use pipelineruns, taskruns, pipelines, tasks or stepactions").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var o = parse.GetValue(output)!;
            if (parse.GetValue(name) is { } n)
            {
                var item = await client.GetAsync($"api/v1/{segment}/{Uri.EscapeDataString(n)}", ct).ConfigureAwait(false);
                if (o == "yaml" && item["document"] is { } doc)
                {
                    Console.Write((string)doc!);
                }
                else if (o == "table" && segment.EndsWith("runs", StringComparison.Ordinal))
                {
                    PrintRuns([Summary(item)]);
                }
                else
                {
                    Console.WriteLine(item.ToJsonString(Indented));
                }

                return ExitCodes.Success;
            }

            var query = new List<string> { $"limit={parse.GetValue(limit)}" };
            void Add(string key, string? value)
            {
                if (!string.IsNullOrEmpty(value))
                {
                    query.Add($"{key}={Uri.EscapeDataString(value)}");
                }
            }

            Add("pipeline", parse.GetValue(pipeline));
            Add("status", parse.GetValue(status));
            Add("labelSelector", parse.GetValue(selector));
            Add("since", parse.GetValue(since));
            Add("cursor", parse.GetValue(cursor));
            var list = await client.GetAsync($"api/v1/{segment}?{string.Join('&', query)}", ct).ConfigureAwait(false);
            if (o != "table")
            {
                Console.WriteLine(list.ToJsonString(Indented));
                return ExitCodes.Success;
            }

            var items = list["items"]!.AsArray().OfType<JsonObject>().ToList();
            if (segment.EndsWith("runs", StringComparison.Ordinal))
            {
                PrintRuns(items);
                if ((string?)list["nextCursor"] is { } next)
                {
                    Console.WriteLine($"(more: --cursor {next})");
                }
            }
            else
            {
                Table([["NAME", "GENERATION", "UPDATED"], .. items.Select(i => new[] { (string)i["name"]!, i["generation"]!.ToString(), (string)i["updatedAt"]! })]);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Describe()
    {
        var kind = new Argument<string>("KIND") { Description = "pipelinerun (pr) or taskrun (tr)" };
        var name = new Argument<string>("NAME");
        var command = new Command("describe", "Show a run: status, tasks, results and events") { kind, name };
        Action(command, async (parse, client, ct) =>
        {
            var segment = Segment(parse.GetValue(kind)!);
            if (segment is not ("pipelineruns" or "taskruns"))
            {
                await Console.Error.WriteLineAsync("mship describe: KIND is pipelinerun or taskrun").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var n = Uri.EscapeDataString(parse.GetValue(name)!);
            var run = await client.GetAsync($"api/v1/{segment}/{n}", ct).ConfigureAwait(false);
            var events = await client.GetAsync($"api/v1/{segment}/{n}/events", ct).ConfigureAwait(false);
            var condition = run["status"]?["conditions"]?[0];
            Console.WriteLine($"Name:        {run["metadata"]!["name"]}");
            Console.WriteLine($"UID:         {run["metadata"]!["uid"]}");
            Console.WriteLine($"Created:     {run["metadata"]!["creationTimestamp"]}");
            Console.WriteLine($"Started:     {run["status"]?["startTime"]}");
            Console.WriteLine($"Completed:   {run["status"]?["completionTime"]}");
            Console.WriteLine($"Status:      {condition?["status"]} ({condition?["reason"]})");
            if ((string?)condition?["message"] is { Length: > 0 } message)
            {
                Console.WriteLine($"Message:     {message}");
            }

            if (run["status"]?["taskRuns"] is JsonObject taskRuns && taskRuns.Count > 0)
            {
                Console.WriteLine();
                Table([["TASK", "TASKRUN", "STATUS", "REASON"], .. taskRuns.Select(kv => new[]
                {
                    (string?)kv.Value!["pipelineTaskName"] ?? "", kv.Key,
                    (string?)kv.Value["status"]?["conditions"]?[0]?["status"] ?? "", (string?)kv.Value["status"]?["conditions"]?[0]?["reason"] ?? "",
                })]);
            }

            if (run["status"]?["skippedTasks"] is JsonArray skipped && skipped.Count > 0)
            {
                Console.WriteLine();
                Table([["SKIPPED", "REASON"], .. skipped.Select(s => new[] { (string)s!["name"]!, (string)s["reason"]! })]);
            }

            if (run["status"]?["results"] is JsonArray results && results.Count > 0)
            {
                Console.WriteLine();
                Table([["RESULT", "VALUE"], .. results.Select(r => new[] { (string)r!["name"]!, r["value"] is JsonValue v ? (string)v! : r["value"]!.ToJsonString() })]);
            }

            if (events["items"] is JsonArray items && items.Count > 0)
            {
                Console.WriteLine();
                Table([["TIME", "TYPE", "REASON", "MESSAGE"], .. items.Select(e => new[] { (string)e!["time"]!, (string)e["type"]!, (string)e["reason"]!, (string)e["message"]! })]);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    // ---- logs / cancel / rerun / delete / prune -------------------------------------------------

    private static Command Logs()
    {
        var name = new Argument<string>("NAME") { Description = "a PipelineRun (or TaskRun)" };
        var follow = new Option<bool>("--follow", "-f") { Description = "keep streaming until the run ends" };
        var task = new Option<string?>("--task") { Description = "only this pipeline task" };
        var step = new Option<string?>("--step") { Description = "only this step" };
        var command = new Command("logs", "Print a run's logs") { name, follow, task, step };
        Action(command, async (parse, client, ct) =>
        {
            var (segment, n) = await FindRunAsync(client, parse.GetValue(name)!, ct).ConfigureAwait(false);
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
        await using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await stream.CopyToAsync(Console.OpenStandardOutput(), ct).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    /// <summary>Streams the server-sent log events as <c>[task/step] line</c>; the exit code says how the run ended.</summary>
    private static async Task<int> FollowAsync(ApiClient client, string segment, string name, CancellationToken ct, string filters = "")
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
                    var status = (string?)data["status"];
                    Console.Error.WriteLine($"mship: {segment[..^1]} {name} {data["reason"]}");
                    return status == "True" ? ExitCodes.Success : ExitCodes.RunFailed;
                }

                var prefix = data["pipelineTask"] is { } pt ? $"[{pt}/{data["step"]}] " : $"[{data["step"]}] ";
                foreach (var l in data["lines"]!.AsArray())
                {
                    Console.Out.Write(prefix + (string?)l + "\n");
                }
            }
        }

        await Console.Error.WriteLineAsync("mship: the log stream ended before the run did (server stopped?)").ConfigureAwait(false);
        return ExitCodes.RunFailed;
    }

    private static Command Cancel()
    {
        var name = new Argument<string>("NAME") { Description = "a PipelineRun (or TaskRun)" };
        var graceful = new Option<bool>("--finally") { Description = "cancel running tasks but run finally tasks (CancelledRunFinally)" };
        var stop = new Option<bool>("--stop") { Description = "let running tasks finish, start no new ones, run finally (StoppedRunFinally)" };
        var command = new Command("cancel", "Cancel a run (Tekton's Cancelled, CancelledRunFinally, StoppedRunFinally)") { name, graceful, stop };
        Action(command, async (parse, client, ct) =>
        {
            var (segment, n) = await FindRunAsync(client, parse.GetValue(name)!, ct).ConfigureAwait(false);
            var status = parse.GetValue(stop) ? "StoppedRunFinally" : parse.GetValue(graceful) ? "CancelledRunFinally" : "Cancelled";
            await client.PostAsync($"api/v1/{segment}/{Uri.EscapeDataString(n)}/cancel", new JsonObject { ["status"] = status }.ToJsonString(), "application/json", ct).ConfigureAwait(false);
            Console.WriteLine($"{segment[..^1]}.tekton.dev/{n} {status}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Rerun()
    {
        var name = new Argument<string>("NAME") { Description = "a PipelineRun (or TaskRun)" };
        var follow = new Option<bool>("--follow", "-F") { Description = "stream the new run's logs until it ends" };
        var command = new Command("rerun", "Run a run again, with the same spec and the definitions it ran with") { name, follow };
        Action(command, async (parse, client, ct) =>
        {
            var (segment, n) = await FindRunAsync(client, parse.GetValue(name)!, ct).ConfigureAwait(false);
            var created = await client.PostAsync($"api/v1/{segment}/{Uri.EscapeDataString(n)}/rerun", null, "application/json", ct).ConfigureAwait(false);
            var createdName = (string)created["metadata"]!["name"]!;
            Console.WriteLine($"{segment[..^1]}.tekton.dev/{createdName} created");
            return parse.GetValue(follow) ? await FollowAsync(client, segment, createdName, ct).ConfigureAwait(false) : ExitCodes.Success;
        });
        return command;
    }

    private static Command Delete()
    {
        var kind = new Argument<string>("KIND") { Description = "pipelinerun, taskrun, pipeline, task or stepaction" };
        var names = new Argument<string[]>("NAME") { Arity = ArgumentArity.OneOrMore };
        var command = new Command("delete", "Delete runs (with their logs) or definitions") { kind, names };
        Action(command, async (parse, client, ct) =>
        {
            var segment = Segment(parse.GetValue(kind)!);
            if (segment is null)
            {
                await Console.Error.WriteLineAsync($"mship delete: unknown kind '{parse.GetValue(kind)}'").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            foreach (var n in parse.GetValue(names)!)
            {
                await client.DeleteAsync($"api/v1/{segment}/{Uri.EscapeDataString(n)}", ct).ConfigureAwait(false);
                Console.WriteLine($"{segment[..^1]}.tekton.dev/{n} deleted");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Prune()
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
        Action(command, async (parse, client, ct) =>
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
                Console.WriteLine($"{((string)r["kind"]!).ToLowerInvariant()}.tekton.dev/{r["name"]} {(dry ? "would be deleted" : "deleted")}");
            }

            Console.WriteLine($"{deleted.Count} run(s) {(dry ? "would be deleted" : "deleted")}, with {result["logChunks"]} log chunk(s)");
            return ExitCodes.Success;
        });
        return command;
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /// <summary>A run's kind from its name: PipelineRun first, then TaskRun.</summary>
    private static async Task<(string Segment, string Name)> FindRunAsync(ApiClient client, string name, CancellationToken ct)
    {
        try
        {
            await client.GetAsync($"api/v1/pipelineruns/{Uri.EscapeDataString(name)}", ct).ConfigureAwait(false);
            return ("pipelineruns", name);
        }
        catch (ApiException e) when (e.Status == HttpStatusCode.NotFound)
        {
            try
            {
                await client.GetAsync($"api/v1/taskruns/{Uri.EscapeDataString(name)}", ct).ConfigureAwait(false);
                return ("taskruns", name);
            }
            catch (ApiException again) when (again.Status == HttpStatusCode.NotFound)
            {
                throw new ApiException(HttpStatusCode.NotFound, $"no PipelineRun or TaskRun named '{name}'", []);
            }
        }
    }

    private static string? Segment(string kind) => kind.ToLowerInvariant() switch
    {
        "pipelinerun" or "pipelineruns" or "pr" => "pipelineruns",
        "taskrun" or "taskruns" or "tr" => "taskruns",
        "pipeline" or "pipelines" => "pipelines",
        "task" or "tasks" => "tasks",
        "stepaction" or "stepactions" => "stepactions",
        _ => null,
    };

    private static JsonObject Summary(JsonNode run)
    {
        var condition = run["status"]?["conditions"]?[0];
        return new JsonObject
        {
            ["name"] = (string?)run["metadata"]?["name"],
            ["status"] = (string?)condition?["status"],
            ["reason"] = (string?)condition?["reason"],
            ["startTime"] = (string?)run["status"]?["startTime"],
            ["completionTime"] = (string?)run["status"]?["completionTime"],
        };
    }

    private static void PrintRuns(IReadOnlyList<JsonObject> runs) =>
        Table([["NAME", "STATUS", "REASON", "STARTED", "DURATION"], .. runs.Select(r => new[]
        {
            (string?)r["name"] ?? "", (string?)r["status"] ?? "", (string?)r["reason"] ?? "", (string?)r["startTime"] ?? "-", Duration(r),
        })]);

    private static string Duration(JsonObject r)
    {
        if (!DateTimeOffset.TryParse((string?)r["startTime"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var start)
            || !DateTimeOffset.TryParse((string?)r["completionTime"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var end))
        {
            return "-";
        }

        var d = end - start;
        return d.TotalMinutes >= 1 ? $"{(int)d.TotalMinutes}m{d.Seconds}s" : $"{d.TotalSeconds:0}s";
    }

    private static void Table(IReadOnlyList<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        foreach (var row in rows)
        {
            Console.WriteLine(string.Join("   ", row.Select((c, i) => i == row.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd());
        }
    }

    /// <summary>
    /// Files sent as one multi-document body; the server's diagnostics name lines of that body,
    /// which this maps back to the file and line they came from.
    /// </summary>
    private sealed class Bundle
    {
        private readonly List<(string File, int FirstLine)> _parts = [];

        public string Text { get; private set; } = "";

        public static Bundle? Read(IEnumerable<string> paths)
        {
            var bag = new DiagnosticBag();
            var files = InputFiles.Expand(paths, bag);
            InputFiles.Print(bag, Console.Error);
            if (bag.HasErrors)
            {
                return null;
            }

            var bundle = new Bundle();
            var text = new StringBuilder();
            var line = 1;
            foreach (var f in files)
            {
                if (text.Length > 0)
                {
                    text.Append("---\n");
                    line++;
                }

                var content = File.ReadAllText(f).Replace("\r\n", "\n", StringComparison.Ordinal);
                if (!content.EndsWith('\n'))
                {
                    content += "\n";
                }

                bundle._parts.Add((f, line));
                text.Append(content);
                line += content.Count(c => c == '\n');
            }

            bundle.Text = text.ToString();
            return bundle;
        }

        public static Bundle Generated(string text)
        {
            var bundle = new Bundle { Text = text };
            bundle._parts.Add(("mship start", 1));
            return bundle;
        }

        public void PrintDiagnostics(IEnumerable<JsonObject> diagnostics)
        {
            foreach (var d in diagnostics)
            {
                var line = (int?)d["line"] ?? 0;
                var (file, first) = _parts.LastOrDefault(p => p.FirstLine <= line, (File: "body", FirstLine: 1));
                var where = (string?)d["file"] == "body" ? $"{file}:{line - first + 1}:{d["column"]}" : $"{d["file"]}:{d["line"]}:{d["column"]}";
                Console.Error.WriteLine($"{where}: {d["severity"]}: {d["message"]}");
            }
        }
    }
}
