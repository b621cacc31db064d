using System.Diagnostics;
using System.Globalization;
using LibGit2Sharp;
using Mothership.Ci.Forge;
using Mothership.Ci.Releases;
using Mothership.Store;
using Mothership.Testing.GitHub;

namespace Mothership.Bench;

/// <summary>
/// <c>… -- release-notes [--prs N] [--iterations I]</c>: a generated git repository whose
/// <c>main</c> merged N pull requests (default 1000: every other one a merge commit with its branch
/// commit, the others squash merges), each known to the tests' fake GitHub (over loopback HTTP,
/// through <see cref="GitHubForge"/>) and to a SQLite store (as the CI bot records them from
/// webhooks). For the last 100 and the last N pull requests, times the whole release-notes run
/// (walk the range, read every pull request, build and render the markdown) from each source, I
/// times (default 3), and prints the minimum and median with the GitHub calls of one run.
/// </summary>
internal static class ReleaseNotesBenchmark
{
    private static readonly RepositoryName Repo = new("org", "app");
    private static readonly string[] Kinds = ["feature", "bug", "cleanup", "documentation", "api-change", "flake", "deprecation"];

    public static async Task<int> RunAsync(int prs, int iterations)
    {
        var dir = Directory.CreateTempSubdirectory("mship-bench-relnotes-");
        try
        {
            return await RunAsync(prs, iterations, dir.FullName).ConfigureAwait(false);
        }
        finally
        {
            foreach (var file in dir.EnumerateFiles("*", SearchOption.AllDirectories))
            {
                file.Attributes = FileAttributes.Normal;
            }

            dir.Delete(recursive: true);
        }
    }

    private static async Task<int> RunAsync(int prs, int iterations, string dir)
    {
        var setup = Stopwatch.StartNew();
        var repoPath = Path.Combine(dir, "app");
        var marks = Generate(repoPath, prs);
        await using var github = await FakeGitHub.StartAsync(new FakeGitHubOptions { Token = "bench-token", RateLimit = 1_000_000 }).ConfigureAwait(false);
        var fake = github.AddRepository(Repo.Owner, Repo.Name);
        await using var store = RunStoreFactory.Open("sqlite:" + Path.Combine(dir, "store.db"), TimeProvider.System);
        await store.MigrateAsync(CancellationToken.None).ConfigureAwait(false);
        for (var n = 1; n <= prs; n++)
        {
            var (author, body, labels) = PullRequest(n);
            var pr = fake.AddPullRequest(author, new string('a', 40), title: $"Change {n}");
            pr.Body = body;
            pr.Merged = true;
            fake.AddLabelsTo(pr.Number, labels);
            await store.UpsertPullRequestAsync(new PullRequestRecord { Repository = Repo.ToString(), Number = n, Title = $"Change {n}", Body = body, Author = author, Labels = labels },
                CancellationToken.None).ConfigureAwait(false);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"setup: {prs} merged pull requests ({prs / 2} merge commits, {prs - prs / 2} squash merges) in {setup.Elapsed.TotalSeconds:F1} s"));
        var forge = GitHubForge.WithToken(new GitHubForgeOptions { ApiUrl = github.BaseUri, ResponseCacheEntries = 0 }, "bench-token");
        var sources = new (string Name, IPullRequestSource Source)[]
        {
            ("fake GitHub (HTTP)", new ForgePullRequestSource(forge)),
            ("store (SQLite)", new StorePullRequestSource(store)),
        };
        Console.WriteLine("| pull requests | source | min (ms) | median (ms) | per PR (ms) | GitHub calls | markdown (bytes) |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var count in new[] { Math.Min(100, prs), prs }.Distinct())
        {
            var from = marks[prs - count];
            foreach (var (name, source) in sources)
            {
                var times = new List<double>();
                var calls = 0;
                var bytes = 0;
                for (var i = 0; i < iterations; i++)
                {
                    var before = github.Requests.Count;
                    var watch = Stopwatch.StartNew();
                    var gathered = await ReleaseNoteGatherer.GatherAsync(repoPath, from, "main", Repo, source, CancellationToken.None).ConfigureAwait(false);
                    var markdown = gathered.Document().ToMarkdown();
                    times.Add(watch.Elapsed.TotalMilliseconds);
                    calls = github.Requests.Count - before;
                    bytes = markdown.Length;
                    if (gathered.Notes.Count != count || gathered.Missing.Count != 0)
                    {
                        Console.Error.WriteLine($"expected {count} notes, got {gathered.Notes.Count} ({gathered.Missing.Count} missing)");
                        return 1;
                    }
                }

                times.Sort();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {count} | {name} | {times[0]:F0} | {times[times.Count / 2]:F0} | {times[times.Count / 2] / count:F2} | {calls} | {bytes} |"));
            }
        }

        return 0;
    }

    private static (string Author, string Body, string[] Labels) PullRequest(int n)
    {
        var kind = Kinds[n % Kinds.Length];
        var labels = n % 50 == 0 ? new[] { "kind/" + kind, "release-note-action-required" }
            : n % 10 == 0 ? ["kind/" + kind, "release-note-none"]
            : ["kind/" + kind, "release-note", "lgtm", "approved"];
        var note = n % 10 == 0 && n % 50 != 0 ? "NONE" : $"Change {n}: {kind} of the scheduler's queue handling, described in a sentence or two as release notes are.";
        return ($"dev{n % 37}", $"Some description of change {n}.\n\n```release-note\n{note}\n```\n", labels);
    }

    /// <summary>Writes the repository; returns, for each count k of merged pull requests, the sha of main after the k-th (index 0: before any).</summary>
    private static string[] Generate(string path, int prs)
    {
        var who = new Signature("Dev", "dev@example.com", new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var repo = new Repository(Repository.Init(path));
        var marks = new string[prs + 1];
        Commit Make(string message, string file, params Commit[] parents)
        {
            var tree = parents.Length > 0 ? TreeDefinition.From(parents[0].Tree) : new TreeDefinition();
            tree.Add(file, repo.ObjectDatabase.CreateBlob(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(message))), Mode.NonExecutableFile);
            return repo.ObjectDatabase.CreateCommit(who, who, message + "\n", repo.ObjectDatabase.CreateTree(tree), parents, prettifyMessage: false);
        }

        var head = Make("Initial import", "README");
        marks[0] = head.Sha;
        for (var n = 1; n <= prs; n++)
        {
            var file = $"src/file{n % 100}.txt";
            if (n % 2 == 0)
            {
                var branch = Make($"Work on change {n}", file, head);
                head = Make($"Merge pull request #{n} from dev{n % 37}/change-{n}\n\nChange {n}", file, head, branch);
            }
            else
            {
                head = Make($"Change {n} (#{n})", file, head);
            }

            marks[n] = head.Sha;
        }

        repo.Refs.Add("refs/heads/main", head.Id, allowOverwrite: true);
        return marks;
    }
}
