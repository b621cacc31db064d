using System.Collections.Immutable;
using System.CommandLine;
using System.Text.Json.Nodes;
using Mothership.Cli.Client;
using Mothership.Engine.Status;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;
using Mothership.Model.Tekton.Vocabulary;
using Mothership.Cli.Output;
using Mothership.Cli.Output.Progress;

namespace Mothership.Cli.Commands.Client;

/// <summary><c>mship start</c>: starts a Pipeline or Task, a run from files, or a pending run, on the server.</summary>
internal static class StartCommand
{
    public static Command Create()
    {
        var pipeline = new Argument<string?>("PIPELINE") { Description = "the Pipeline (or with --task, the Task) to start", Arity = ArgumentArity.ZeroOrOne };
        var files = new Option<string[]>("--file", "-f") { Description = "create the PipelineRun or TaskRun in these files instead", AllowMultipleArgumentsPerToken = true };
        var parameters = new Option<string[]>("--param", "-p") { Description = "NAME=VALUE; a value starting with [ or { is a JSON array or object" };
        var workspaces = new Option<string[]>("--workspace", "-w") { Description = "NAME=emptyDir, NAME=volumeClaimTemplate or NAME=pvc:CLAIM" };
        var task = new Option<bool>("--task") { Description = "PIPELINE names a Task: start a TaskRun" };
        var pending = new Option<bool>("--pending") { Description = "create the run pending; start it later with 'mship start --run NAME'" };
        var run = new Option<string?>("--run") { Description = "start this pending PipelineRun or TaskRun" };
        var labels = new Option<string[]>("--label", "-l") { Description = "KEY=VALUE labels on the run" };
        var follow = new Option<bool>("--follow", "-F") { Description = "stream the logs until the run ends; exit 0 if it succeeded, 1 if not" };
        var plain = new Option<bool>("--plain") { Description = "with -F: print log lines, not the live progress view a terminal gets (the default when stdout is not a terminal, TERM=dumb or CI is set)" };
        var command = new Command("start", "Start a Pipeline (or Task) on the server") { pipeline, files, parameters, workspaces, task, pending, run, labels, follow, plain };
        ClientCommand.Configure(command, async (parse, client, ct) =>
        {
            if (parse.GetValue(run) is { } pendingName)
            {
                var (segment, found) = await RunKinds.FindAsync(client, pendingName, ct).ConfigureAwait(false);
                await client.PostAsync($"api/v1/{segment}/{Uri.EscapeDataString(found)}/start", null, "application/json", ct).ConfigureAwait(false);
                Console.WriteLine($"{segment[..^1]}.tekton.dev/{TerminalText.Escape(found)} started");
                return parse.GetValue(follow) ? await FollowAsync(client, segment, found, parse.GetValue(plain), ct).ConfigureAwait(false) : ExitCodes.Success;
            }

            RequestBundle? bundle;
            string kinds;
            var isTask = parse.GetValue(task);
            if (parse.GetValue(files) is { Length: > 0 } paths)
            {
                bundle = RequestBundle.Read(paths);
                if (bundle is null || SegmentOfRunIn(paths) is not { } segment)
                {
                    return ExitCodes.Usage;
                }

                kinds = segment;
            }
            else if (parse.GetValue(pipeline) is { } name)
            {
                var bag = new DiagnosticBag();
                var given = ParamArguments.Parse(parse.GetValue(parameters) ?? [], bag);
                InputFiles.Print(bag, Console.Error);
                if (bag.HasErrors)
                {
                    return ExitCodes.Usage;
                }

                bundle = RequestBundle.Generated(RunDocument(name, isTask, given, parse.GetValue(workspaces) ?? [], parse.GetValue(labels) ?? [], parse.GetValue(pending)));
                kinds = isTask ? "taskruns" : "pipelineruns";
            }
            else
            {
                await Console.Error.WriteLineAsync("mship start: name a PIPELINE, or give -f FILE, or --run NAME").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

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
            Console.WriteLine($"{kinds[..^1]}.tekton.dev/{TerminalText.Escape(createdName)} created");
            return parse.GetValue(follow) ? await FollowAsync(client, kinds, createdName, parse.GetValue(plain), ct).ConfigureAwait(false) : ExitCodes.Success;
        });
        return command;
    }

    /// <summary><c>-F</c>: a PipelineRun in the live progress view on a terminal, else (and a TaskRun always) its log lines.</summary>
    private static Task<int> FollowAsync(ApiClient client, string segment, string name, bool plain, CancellationToken ct) =>
        segment == "pipelineruns" && ProgressView.Enabled(plain)
            ? ProgressView.FollowAsync(client, name, ct)
            : LogsCommand.FollowAsync(client, segment, name, ct);

    /// <summary>The endpoint of the one run in <paramref name="paths"/>, by its kind as loaded; null (after saying why) when there is not exactly one.</summary>
    private static string? SegmentOfRunIn(IEnumerable<string> paths)
    {
        var bag = new DiagnosticBag();
        var runs = ResourceLoader.LoadFiles(InputFiles.Expand(paths, bag), bag).All.Where(r => r is PipelineRun or TaskRun).ToList();
        if (!bag.HasErrors && runs.Count != 1)
        {
            bag.Error(runs.Count > 1 ? runs[1].Location : new SourceLocation(string.Join(' ', paths), 0, 0),
                runs.Count > 1 ? "the files hold several runs: mship start creates one; start each from its own file" : "the files hold no PipelineRun or TaskRun");
        }

        InputFiles.Print(bag, Console.Error);
        return bag.HasErrors ? null : runs[0] is TaskRun ? "taskruns" : "pipelineruns";
    }

    private static string RunDocument(string name, bool task, ImmutableArray<Param> parameters, string[] workspaces, string[] labels, bool pending)
    {
        var kind = task ? nameof(TaskRun) : nameof(PipelineRun);
        var spec = new JsonObject { [task ? "taskRef" : "pipelineRef"] = new JsonObject { ["name"] = name } };
        if (parameters.Length > 0)
        {
            spec["params"] = new JsonArray([.. parameters.Select(p => (JsonNode)new JsonObject { ["name"] = p.Name, ["value"] = SpecJson.ToNode(p.Value) })]);
        }

        if (workspaces.Length > 0)
        {
            spec["workspaces"] = new JsonArray([.. workspaces.Select(Workspace)]);
        }

        if (pending)
        {
            spec["status"] = SpecStatus.PendingOf(kind);
        }

        var metadata = new JsonObject { ["generateName"] = $"{name}-run-" };
        if (labels.Length > 0)
        {
            metadata["labels"] = new JsonObject(labels.Select(l => l.Split('=', 2)).Select(kv => KeyValuePair.Create(kv[0], (JsonNode?)JsonValue.Create(kv.Length > 1 ? kv[1] : ""))));
        }

        return new JsonObject { ["apiVersion"] = TektonLabels.ApiVersion, ["kind"] = kind, ["metadata"] = metadata, ["spec"] = spec }.ToJsonString();
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
}
