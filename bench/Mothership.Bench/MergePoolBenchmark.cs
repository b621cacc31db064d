using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Mothership.Ci.Forge;
using Mothership.Ci.Jobs;
using Mothership.Ci.Reporting;
using Mothership.Ci.Tide;
using Mothership.Ci.Triggers;
using Mothership.Model.Tekton;
using Mothership.Store;
using Mothership.Testing.GitHub;

namespace Mothership.Bench;

/// <summary>
/// <c>… -- tide [--prs N] [--syncs S]</c>: one repository with N open pull requests (default 200)
/// in the tests' fake GitHub, a SQLite store holding each one's presubmit results (two required
/// jobs) and the <see cref="MergePool"/> as the server runs it. Of the pull requests, 70 % carry
/// <c>lgtm</c> and <c>approved</c> (half of those passed on an older base, half on the branch's
/// head), 15 % lack a label, 10 % are held, 5 % have a failed job. Times each sync and counts the
/// GitHub calls it made, by endpoint, from the fake's request log: the first sync (this process
/// has written no <c>tide</c> status yet; it merges one), the second (that merge moved the
/// branch), then S syncs with nothing changed, then one after a push moved the branch. Nothing
/// runs the jobs the pool starts: they stay queued.
/// </summary>
internal static class MergePoolBenchmark
{
    private const string Owner = "Codertocat";
    private const string Name = "Hello-World";
    private const string Author = "alice";

    public static async Task<int> RunAsync(int prs, int syncs)
    {
        var dir = Directory.CreateTempSubdirectory("mship-bench-tide-");
        try
        {
            return await RunAsync(prs, syncs, dir.FullName).ConfigureAwait(false);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static async Task<int> RunAsync(int prs, int syncs, string dir)
    {
        var time = TimeProvider.System;
        await using var github = await FakeGitHub.StartAsync(new FakeGitHubOptions { Token = "bench-token", RateLimit = 1_000_000 }).ConfigureAwait(false);
        var repo = github.AddRepository(Owner, Name);
        var oldBase = Sha(0xb0, 0);
        var head = Sha(0xb1, 0);
        repo.SetBranch("main", head);
        var configFile = Path.Combine(dir, "config.yaml");
        await File.WriteAllTextAsync(configFile, $"""
            presubmits:
              {Owner}/{Name}:
              - name: unit
                always_run: true
                spec: {"{containers: [{image: alpine, command: [sh, -c, 'true']}]}"}
              - name: lint
                always_run: true
                spec: {"{containers: [{image: alpine, command: [sh, -c, 'true']}]}"}
            tide:
              queries:
              - repos: [{Owner}/{Name}]
                labels: [lgtm, approved]
                missingLabels: [do-not-merge/hold]
              batch_size_limit:
                "*": 5
              context_options:
                skip-unknown-contexts: true
            """).ConfigureAwait(false);
        var config = new JobConfigFiles(configFile, null);
        if (config.Reload() is { Count: > 0 } problems)
        {
            Console.Error.WriteLine(string.Join('\n', problems));
            return 2;
        }

        await using var store = RunStoreFactory.Open("sqlite:" + Path.Combine(dir, "store.db"), time);
        await store.MigrateAsync(CancellationToken.None).ConfigureAwait(false);
        var forge = GitHubForge.WithToken(new GitHubForgeOptions { ApiUrl = github.BaseUri }, "bench-token", time);
        var runs = new StoredJobRuns(store, time);
        var starter = new JobStarter(forge, store, runs, new JobConcurrency(store, runs), new JobTriggerOptions(), time);
        var pool = new MergePool(config, forge, store, starter, time, NullLogger<MergePool>.Instance);

        // The pull requests and the results their presubmits left in the store.
        var seeded = Stopwatch.StartNew();
        var kinds = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < prs; i++)
        {
            var kind = (i % 20) switch
            {
                < 7 => "ready, passed on the head",
                < 14 => "ready, passed on an older base",
                < 17 => "missing approved",
                < 19 => "held",
                _ => "lint failed",
            };
            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
            var pr = repo.AddPullRequest(Author, Sha(0xa0, i), $"topic-{i}", "main", oldBase);
            string[] labels = kind switch
            {
                "missing approved" => ["lgtm"],
                "held" => ["lgtm", "approved", "do-not-merge/hold"],
                _ => ["lgtm", "approved"],
            };
            await forge.AddLabelsAsync(new RepositoryName(Owner, Name), pr.Number, labels).ConfigureAwait(false);
            var testedOn = kind == "ready, passed on the head" ? head : oldBase;
            foreach (var job in (string[])["unit", "lint"])
            {
                var state = kind == "lint failed" && job == "lint" ? JobStates.Failure : JobStates.Success;
                await SeedResultAsync(store, time, pr, job, testedOn, state).ConfigureAwait(false);
            }
        }

        Console.WriteLine($"tide: {prs} open pull requests in {Owner}/{Name} ({string.Join(", ", kinds.Select(k => $"{k.Value} {k.Key}"))}), "
            + $"2 required jobs each, batch_size_limit 5; seeded in {seeded.Elapsed.TotalSeconds:F1} s; {Environment.ProcessorCount} cores, load {Load()}");
        Console.WriteLine();
        Console.WriteLine("| sync | time (ms) | GitHub calls | of them 304 | quota spent | by endpoint | merged | started |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- |");

        await SyncAsync("1: no tide status written yet by this process", pool, github, runs).ConfigureAwait(false);
        await SyncAsync("2: the merge of sync 1 moved the branch", pool, github, runs).ConfigureAwait(false);
        for (var i = 0; i < syncs; i++)
        {
            await SyncAsync($"{i + 3}: nothing changed", pool, github, runs).ConfigureAwait(false);
        }

        // A push to the branch: what ran on the old head is stale, the batch and the retest start again.
        repo.SetBranch("main", Sha(0xb2, 0));
        await SyncAsync($"{syncs + 3}: a push moved the branch", pool, github, runs).ConfigureAwait(false);
        Console.WriteLine();
        Console.WriteLine($"GitHub's quota left: {forge.LastRateLimit?.Remaining.ToString(CultureInfo.InvariantCulture) ?? "?"}");
        return 0;
    }

    private static async Task SyncAsync(string what, MergePool pool, FakeGitHub github, StoredJobRuns runs)
    {
        var before = github.Requests.Count;
        var (notModified, quota) = (github.NotModified, github.RateLimitRemaining);
        var started = runs.Started;
        var watch = Stopwatch.StartNew();
        var sync = await pool.SyncAsync(CancellationToken.None).ConfigureAwait(false);
        var elapsed = watch.Elapsed;
        var calls = github.Requests.Skip(before).ToList();
        var byEndpoint = calls
            .GroupBy(r => r.Method + " " + Template(r.Path))
            .OrderByDescending(g => g.Count())
            .Select(g => $"{g.Count()} `{g.Key}`");
        // GitHub does not count a 304 (a conditional request whose answer did not change) against the quota.
        Console.WriteLine($"| {what} | {elapsed.TotalMilliseconds:F0} | {calls.Count} | {github.NotModified - notModified} | {quota - github.RateLimitRemaining} "
            + $"| {string.Join(", ", byEndpoint)} | {sync.Merged} | {runs.Started - started} runs |");
    }

    /// <summary>A path with its numbers and shas as placeholders.</summary>
    private static string Template(string path) =>
        string.Join('/', path.Split('/').Select(s => s.Length == 40 && s.All(char.IsAsciiHexDigit) ? "{sha}" : s.All(char.IsAsciiDigit) && s.Length > 0 ? "{n}" : s));

    private static async Task SeedResultAsync(IRunStore store, TimeProvider time, FakeIssue pr, string job, string baseSha, string state)
    {
        var now = time.GetUtcNow();
        var uid = Guid.NewGuid().ToString();
        var name = JobRunBuilder.RunName(job, $"seed/{pr.Number}/{pr.HeadSha}");
        await store.CreateRunAsync(new RunRecord
        {
            Uid = uid,
            Kind = "TaskRun",
            Name = name,
            Labels = ImmutableSortedDictionary<string, string>.Empty.SetItem(JobLabels.BaseSha, baseSha).SetItem(JobLabels.Type, JobTypes.Presubmit),
            Phase = RunPhase.Finished,
            Status = state == JobStates.Success ? "True" : "False",
            CreatedAt = now,
            Manifest = "kind: TaskRun",
            CreatedBy = "bench",
        }, "bench", CancellationToken.None).ConfigureAwait(false);
        await store.AddJobResultAsync(new JobResult
        {
            Uid = uid, RunKind = "TaskRun", RunName = name, Job = job, Type = JobTypes.Presubmit, Repository = $"{Owner}/{Name}", Pull = pr.Number,
            Sha = pr.HeadSha, BaseRef = "main", Context = job, State = state, Reported = state, Done = true, CreatedAt = now, UpdatedAt = now,
        }, CancellationToken.None).ConfigureAwait(false);
    }

    private static string Sha(int prefix, int i) => prefix.ToString("x2", CultureInfo.InvariantCulture) + i.ToString("x38", CultureInfo.InvariantCulture);

    private static string Load() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    /// <summary>Runs "started" by storing them queued, as the server's intake would (nothing executes them).</summary>
    private sealed class StoredJobRuns(IRunStore store, TimeProvider time) : IJobRuns
    {
        public int Started { get; private set; }

        public async Task<JobStart> StartAsync(Resource run, IReadOnlyList<DataObject> secrets, string actor, CancellationToken cancellationToken)
        {
            var record = new RunRecord
            {
                Uid = Guid.NewGuid().ToString(),
                Kind = run.Kind,
                Name = run.Metadata.Name!,
                Labels = run.Metadata.Labels,
                Phase = RunPhase.Queued,
                Status = "Unknown",
                CreatedAt = time.GetUtcNow(),
                Manifest = "kind: " + run.Kind,
                CreatedBy = actor,
            };
            if (await store.CreateRunAsync(record, actor, cancellationToken).ConfigureAwait(false))
            {
                Started++;
                return new JobStart(JobStartOutcome.Started, record.Uid);
            }

            return new JobStart(JobStartOutcome.AlreadyStarted, (await store.GetRunAsync(run.Kind, run.Metadata.Name!, cancellationToken).ConfigureAwait(false))?.Uid);
        }

        public Task<bool> ReleaseAsync(RunSummary run, string actor, CancellationToken cancellationToken) => Task.FromResult(false);

        public Task<bool> CancelAsync(RunSummary run, string actor, CancellationToken cancellationToken) => Task.FromResult(false);
    }
}
