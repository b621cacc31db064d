using System.Text.Json.Nodes;
using Mothership.Store;
using Mothership.Testing;
using Mothership.Testing.GitHub;

namespace Mothership.IntegrationTests.Cli;

/// <summary>
/// <c>mship release-notes</c> with the real CLI on a real git repository (a merge commit and a
/// squash merge after <c>v1.0.0</c>): pull requests from the fake GitHub, or from a real server's
/// store when GitHub cannot be reached or with <c>--offline</c>; bad input is one line, exit 2.
/// </summary>
public sealed class ReleaseNotesCommandTests : IAsyncLifetime
{
    private const string Expected = """
        ## Changes by Kind

        ### Feature

        - Pipelines can wait for approval. (#1, @alice)

        ### Bug or Regression

        - Fixed a scheduler race. (#2, @carol)

        """;

    private static readonly (int Number, string Author, string Body, string[] Labels)[] PullRequests =
    [
        (1, "alice", "```release-note\nPipelines can wait for approval.\n```", ["kind/feature", "release-note"]),
        (2, "carol", "```release-note\nFixed a scheduler race.\n```", ["kind/bug", "release-note"]),
    ];

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mship-relnotes-cli-");
    private FakeGitHub _github = null!;
    private string _repo = null!;
    private string _tokenFile = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _repo = Directory.CreateDirectory(Path.Combine(_dir.FullName, "app")).FullName;
        await GitAsync("init", "-q", "-b", "main");
        await CommitAsync("README", "Initial import");
        await GitAsync("tag", "v1.0.0");
        await GitAsync("checkout", "-q", "-b", "feature");
        await CommitAsync("approval.txt", "Add approvals");
        await GitAsync("checkout", "-q", "main");
        await GitAsync("-c", "user.name=Dev", "-c", "user.email=dev@example.com", "merge", "-q", "--no-ff", "feature", "-m", "Merge pull request #1 from alice/feature");
        await CommitAsync("scheduler.txt", "Fix the scheduler (#2)");
        await CommitAsync("typo.txt", "Fix a typo");
        await GitAsync("remote", "add", "origin", "https://github.com/org/app.git");

        _github = await FakeGitHub.StartAsync(new FakeGitHubOptions { Token = "gh-token" }, Ct);
        var repo = _github.AddRepository("org", "app");
        foreach (var (_, author, body, labels) in PullRequests)
        {
            var pr = repo.AddPullRequest(author, new string('a', 40));
            pr.Body = body;
            pr.Merged = true;
            repo.AddLabelsTo(pr.Number, labels);
        }

        _tokenFile = Path.Combine(_dir.FullName, "token");
        await File.WriteAllTextAsync(_tokenFile, "gh-token\n", Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _github.DisposeAsync();
        _dir.Delete(recursive: true);
    }

    [Fact(Timeout = 120_000)]
    public async Task ReleaseNotes_FromGitHub_MergeAndSquashCommitsInKubernetesFormat()
    {
        var result = await MshipProcess.RunAsync(
            ["release-notes", "--repo", _repo, "--from", "v1.0.0", "--to", "main", "--github-api", _github.BaseUri.ToString(), "--github-token-file", _tokenFile],
            cancellationToken: Ct);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(Expected, result.Stdout);
        Assert.Equal("", result.Stderr);
        Assert.Contains(_github.Requests, r => r.Path.EndsWith("/repos/org/app/pulls/2", StringComparison.Ordinal));

        var json = await MshipProcess.RunAsync(
            ["release-notes", "--repo", _repo, "--from", "v1.0.0", "--to", "main", "-o", "json", "--github-repo", "org/app",
                "--github-api", _github.BaseUri.ToString(), "--github-token-file", _tokenFile],
            cancellationToken: Ct);
        Assert.Equal(0, json.ExitCode);
        Assert.Equal(["Feature", "Bug or Regression"], JsonNode.Parse(json.Stdout)!["sections"]!.AsArray().Select(s => (string)s!["title"]!));
    }

    [Fact(Timeout = 180_000)]
    public async Task ReleaseNotes_GitHubUnreachableOrOffline_ReadsTheServersStore()
    {
        var database = $"sqlite:{Path.Combine(_dir.FullName, "mothership.db")}";
        await using (var store = RunStoreFactory.Open(database, TimeProvider.System))
        {
            await store.MigrateAsync(Ct);
            foreach (var (number, author, body, labels) in PullRequests)
            {
                await store.UpsertPullRequestAsync(new PullRequestRecord { Repository = "org/app", Number = number, Author = author, Body = body, Labels = labels }, Ct);
            }
        }

        await using var server = await ServerProcess.StartAsync(_dir.FullName, database, cancellationToken: Ct);

        var fellBack = await server.CliAsync("release-notes", "--repo", _repo, "--from", "v1.0.0", "--to", "main",
            "--github-api", $"http://127.0.0.1:{LoopbackPort.Free()}/", "--github-token-file", _tokenFile);
        Assert.True(fellBack.ExitCode == 0, fellBack.Stderr);
        Assert.Equal(Expected, fellBack.Stdout);
        Assert.StartsWith("mship release-notes: GitHub cannot be reached (", fellBack.Stderr, StringComparison.Ordinal);
        Assert.Contains($"reading pull requests from the server at {server.Url}", fellBack.Stderr, StringComparison.Ordinal);

        var offline = await server.CliAsync("release-notes", "--repo", _repo, "--from", "v1.0.0", "--to", "main~2", "--offline");
        Assert.True(offline.ExitCode == 0, offline.Stderr);
        Assert.Equal("## Changes by Kind\n\n### Feature\n\n- Pipelines can wait for approval. (#1, @alice)\n", offline.Stdout);

        using var api = await server.Http.GetAsync("api/v1/pullrequests/org/app/2", Ct);
        var pr = JsonNode.Parse(await api.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal(("carol", "kind/bug"), ((string)pr["author"]!, (string)pr["labels"]![0]!));
        using var missing = await server.Http.GetAsync("api/v1/pullrequests/org/app/3", Ct);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("--from", "v9.9.9", "mship release-notes: --from: 'v9.9.9' is not a revision of the repository")]
    [InlineData("--to", "no-such-branch", "mship release-notes: --to: 'no-such-branch' is not a revision of the repository")]
    [InlineData("--github-repo", "just-a-name", "mship release-notes: --github-repo: 'just-a-name' is not OWNER/NAME")]
    public async Task ReleaseNotes_BadInput_OneLineExit2(string flag, string value, string expected)
    {
        var args = new Dictionary<string, string> { ["--from"] = "v1.0.0", ["--to"] = "main", [flag] = value };
        var result = await MshipProcess.RunAsync(["release-notes", "--repo", _repo, .. args.SelectMany(a => new[] { a.Key, a.Value }), "--offline"], cancellationToken: Ct);

        Assert.Equal((2, expected + "\n", ""), (result.ExitCode, result.Stderr, result.Stdout));
    }

    [Fact(Timeout = 60_000)]
    public async Task ReleaseNotes_NotARepository_OneLineExit2()
    {
        var result = await MshipProcess.RunAsync(["release-notes", "--repo", _dir.FullName, "--from", "a", "--to", "b", "--offline"], cancellationToken: Ct);

        Assert.Equal((2, $"mship release-notes: {_dir.FullName}: not a git repository\n"), (result.ExitCode, result.Stderr));
    }

    private Task<string> GitAsync(params string[] args) => GitCommand.RunAsync(_repo, args);

    private async Task CommitAsync(string file, string message)
    {
        await File.WriteAllTextAsync(Path.Combine(_repo, file), message, Ct);
        await GitAsync("add", file);
        await GitAsync("-c", "user.name=Dev", "-c", "user.email=dev@example.com", "commit", "-q", "-m", message);
    }
}
