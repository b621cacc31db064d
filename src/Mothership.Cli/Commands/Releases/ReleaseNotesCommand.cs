using System.CommandLine;
using Mothership.Ci.Forge;
using Mothership.Ci.Releases;
using Mothership.Cli.Client;
using Mothership.Cli.Commands.Client;
using Mothership.Cli.Output;
using Gh = Octokit;

namespace Mothership.Cli.Commands.Releases;

/// <summary>
/// <c>mship release-notes --repo DIR --from A --to B</c>: the notes of the pull requests merged in
/// <c>A..B</c> (first parent), in Kubernetes' "Changes by Kind" format. Pull requests are read from
/// GitHub; when it cannot be reached (or with <c>--offline</c>), from the server's store.
/// </summary>
internal static class ReleaseNotesCommand
{
    private const string Name = "release-notes";

    public static Command Create()
    {
        var repo = new Option<string>("--repo") { Description = "the local git repository (default: the current directory)", DefaultValueFactory = _ => "." };
        var from = new Option<string>("--from") { Description = "the previous release's revision (tag, branch or sha): excluded", Required = true };
        var to = new Option<string>("--to") { Description = "the release's revision: included", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "markdown or json", DefaultValueFactory = _ => "markdown" };
        output.AcceptOnlyFromAmong("markdown", "json");
        var githubRepo = new Option<string?>("--github-repo") { Description = "OWNER/NAME on GitHub (default: read from the origin remote's URL)" };
        var tokenFile = new Option<string?>("--github-token-file") { Description = "a file holding the GitHub token (default $GITHUB_TOKEN; without either, anonymous)" };
        var api = new Option<string>("--github-api")
        {
            Description = "GitHub's API, or GitHub Enterprise's host (default https://api.github.com/)",
            DefaultValueFactory = _ => GitHubForgeOptions.PublicApiUrl.ToString(),
        };
        var offline = new Option<bool>("--offline") { Description = "do not ask GitHub: read pull requests from the server (--server) only" };
        var command = new Command(Name, "Release notes of the pull requests merged between two revisions (Kubernetes' format)")
        {
            repo, from, to, output, githubRepo, tokenFile, api, offline,
        };
        ClientCommand.Configure(command, async (parse, client, ct) =>
        {
            var path = Path.GetFullPath(parse.GetValue(repo)!);
            IReadOnlyList<MergedPullRequest> merged;
            RepositoryName? name;
            try
            {
                merged = MergeCommits.InRange(path, parse.GetValue(from)!, parse.GetValue(to)!);
                name = parse.GetValue(githubRepo) is { } given
                    ? RepositoryName.TryParse(given, out var parsed) ? parsed : throw new ReleaseRangeException($"--github-repo: '{given}' is not OWNER/NAME")
                    : OriginRemote.RepositoryOf(path) ?? throw new ReleaseRangeException($"--github-repo: not given, and {path} has no origin remote naming OWNER/NAME");
            }
            catch (ReleaseRangeException e)
            {
                return await FailAsync(e.Message).ConfigureAwait(false);
            }

            IPullRequestSource server = new ServerPullRequestSource(client);
            IPullRequestSource source = server;
            if (!parse.GetValue(offline))
            {
                if (!Uri.TryCreate(parse.GetValue(api), UriKind.Absolute, out var apiUrl) || apiUrl.Scheme is not ("http" or "https"))
                {
                    return await FailAsync($"--github-api: '{TerminalText.Escape(parse.GetValue(api))}' is not an http(s) URL").ConfigureAwait(false);
                }

                string? token;
                try
                {
                    token = parse.GetValue(tokenFile) is { } file ? (await File.ReadAllTextAsync(file, ct).ConfigureAwait(false)).Trim()
                        : Environment.GetEnvironmentVariable("GITHUB_TOKEN") is { Length: > 0 } env ? env.Trim() : null;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    return await FailAsync($"--github-token-file: {e.Message}").ConfigureAwait(false);
                }

                var options = new GitHubForgeOptions { ApiUrl = apiUrl };
                var forge = string.IsNullOrEmpty(token)
                    ? new GitHubForge(options, new Gh.Internal.InMemoryCredentialStore(Gh.Credentials.Anonymous))
                    : GitHubForge.WithToken(options, token);
                source = new FallbackPullRequestSource(new ForgePullRequestSource(forge), server, e =>
                    Console.Error.WriteLine($"mship {Name}: GitHub cannot be reached ({TerminalText.Escape(e.Message)}): reading pull requests from the server at {client.Server}"));
            }

            GatheredReleaseNotes gathered;
            try
            {
                gathered = await ReleaseNoteGatherer.GatherAsync(merged, name, source, ct).ConfigureAwait(false);
            }
            catch (Gh.ApiException e)
            {
                return await FailAsync($"GitHub answered {(int)e.StatusCode}: {TerminalText.Escape(e.Message)}").ConfigureAwait(false);
            }

            foreach (var number in gathered.Missing)
            {
                await Console.Error.WriteLineAsync($"mship {Name}: pull request {name}#{number} was not found: left out").ConfigureAwait(false);
            }

            var document = gathered.Document();
            Console.Out.Write(parse.GetValue(output) == "json" ? document.ToJson() : document.ToMarkdown());
            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task<int> FailAsync(string message)
    {
        await Console.Error.WriteLineAsync($"mship {Name}: {TerminalText.EscapeLines(message)}").ConfigureAwait(false);
        return ExitCodes.Usage;
    }
}
