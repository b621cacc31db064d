using System.CommandLine;
using System.Text.Json.Nodes;
using Mothership.Cli.Commands.Client;
using Mothership.Cli.Output;
using Mothership.Cli.Output.Progress;

namespace Mothership.Cli.Commands.Cloud;

/// <summary>
/// <c>mship deploy --server [URL] --site SITE [--revision REV] [--dry-run] [-F]</c>: the server
/// plans from the site's deployed revision and runs the deploy (<c>POST /api/v1/sites/SITE/deploys</c>).
/// </summary>
internal sealed class ServerDeployOptions
{
    private readonly Option<string?> _server = new("--server")
    {
        Description = "deploy on the Mothership server (default $MSHIP_SERVER, else http://127.0.0.1:8080): it plans from the site's deployed revision",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private readonly Option<string?> _token = new("--token") { Description = "with --server: bearer token (default $MSHIP_TOKEN)" };

    private readonly Option<string?> _revision = new("--revision") { Description = "with --server: the revision to deploy (default: the tip of the repository's default branch)" };

    private readonly Option<bool> _resume = new("--resume") { Description = "with --server: resume the site's last deploy that failed, reusing the services that succeeded (a rerun of its run from the failure)" };

    private readonly Option<bool> _follow = new("--follow", "-F") { Description = "with --server: stream the deploy's logs until it ends; exit 0 if it succeeded, 1 if not" };

    public void AddTo(Command command)
    {
        command.Options.Add(_server);
        command.Options.Add(_token);
        command.Options.Add(_revision);
        command.Options.Add(_resume);
        command.Options.Add(_follow);
    }

    /// <summary>Whether <c>--server</c> was given (with or without a URL).</summary>
    public bool Requested(ParseResult parse) => parse.GetResult(_server) is { Implicit: false };

    public async Task<int> DeployAsync(ParseResult parse, string site, bool dryRun, bool json, bool plain, IReadOnlyList<Option> localOnly, CancellationToken ct)
    {
        if (localOnly.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false }) is { } local)
        {
            await Console.Error.WriteLineAsync($"mship deploy: {local.Name} is for a deploy on this machine; with --server the server plans from the site's deployed revision (name the new one with --revision)")
                .ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var server = parse.GetValue(_server) ?? ClientCommand.DefaultServer;
        var token = parse.GetValue(_token) ?? Environment.GetEnvironmentVariable("MSHIP_TOKEN");
        return await ClientCommand.RunAsync(server, token, async client =>
        {
            var body = parse.GetValue(_resume)
                ? new JsonObject { ["resume"] = true, ["source"] = "cli" }
                : new JsonObject { ["revision"] = parse.GetValue(_revision), ["dryRun"] = dryRun, ["source"] = "cli" };
            var deploy = await client.PostAsync($"api/v1/sites/{Uri.EscapeDataString(site)}/deploys", body.ToJsonString(), "application/json", ct).ConfigureAwait(false);
            var run = (string)deploy["run"]!["name"]!;
            if (json)
            {
                Console.WriteLine(deploy.ToJsonString(ClientCommand.Indented));
            }
            else
            {
                var services = deploy["services"]!.AsArray().Select(s => (string)s!["name"]!).ToList();
                var from = (string?)deploy["fromRevision"] is { } f ? f[..Math.Min(12, f.Length)] : "nothing deployed";
                Console.WriteLine(TerminalText.Escape(
                    $"deploy {deploy["id"]} of site {site}: {from} → {((string)deploy["toRevision"]!)[..12]}{(dryRun ? " (dry run)" : "")}, pipelinerun.tekton.dev/{run}; "
                    + (services.Count == 0 ? "no service changed" : $"services: {string.Join(", ", services)}")));
            }

            if (!parse.GetValue(_follow))
            {
                return ExitCodes.Success;
            }

            // On a terminal the deploy is followed in the live progress view, as mship start -F does.
            return !json && ProgressView.Enabled(plain)
                ? await ProgressView.FollowAsync(client, run, ct).ConfigureAwait(false)
                : await LogsCommand.FollowAsync(client, "pipelineruns", run, ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }
}
