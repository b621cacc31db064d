using System.Collections.Immutable;
using System.Diagnostics;
using System.Text;
using Mothership.Store;
using Mothership.Testing;

namespace Mothership.Bench;

/// <summary>
/// Times the run store on a realistic history: N runs of ten pipelines over 30 days (labels, a
/// ~2 KB manifest, a ~4 KB run object, mostly finished, mixed outcomes), then the first page of
/// the run list (unfiltered, by pipeline, by label, by reason), run creation one by one, log
/// appends of a chatty step and a prune of everything. SQLite in a temp file; PostgreSQL 15 in a
/// throwaway server started like the tests start theirs.
/// </summary>
internal static class StoreBenchmark
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly string[] Pipelines = Enumerable.Range(0, 10).Select(i => $"pipeline-{i}").ToArray();
    private static readonly string[] Teams = ["web", "api", "data", "infra"];

    public static async Task<int> RunAsync(int runs, int iterations, string databases)
    {
        Console.WriteLine($"store: {runs:N0} runs, {iterations} iterations per list query, load {File.ReadAllText("/proc/loadavg").Trim()}");
        if (databases is "sqlite" or "both")
        {
            var dir = Directory.CreateTempSubdirectory("mothership-bench-");
            try
            {
                await OneAsync($"sqlite:{dir.FullName}/runs.db", runs, iterations).ConfigureAwait(false);
                Console.WriteLine($"  sqlite file: {new FileInfo(Path.Combine(dir.FullName, "runs.db")).Length / 1024 / 1024} MiB");
            }
            finally
            {
                dir.Delete(recursive: true);
            }
        }

        if (databases is "postgres" or "both")
        {
            if (!PostgresServer.IsInstalled)
            {
                Console.Error.WriteLine(PostgresServer.NotInstalledReason);
                return 1;
            }

            await using var server = await PostgresServer.StartAsync().ConfigureAwait(false);
            await OneAsync(await server.CreateDatabaseAsync("bench").ConfigureAwait(false), runs, iterations).ConfigureAwait(false);
        }

        Console.WriteLine($"load at the end: {File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;
    }

    private static async Task OneAsync(string database, int runs, int iterations)
    {
        var ct = CancellationToken.None;
        await using var store = RunStoreFactory.Open(database, TimeProvider.System);
        await store.MigrateAsync(ct).ConfigureAwait(false);
        Console.WriteLine($"[{store.Provider}]");
        var manifest = Manifest();
        var runObject = RunObject();

        // Load: several writers at once (what several replicas and API calls do); on SQLite they take turns.
        var load = Stopwatch.StartNew();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < runs; i = Interlocked.Increment(ref next))
            {
                await store.CreateRunAsync(MakeRun(i, runs, manifest, runObject), "bench", ct).ConfigureAwait(false);
            }
        }, ct))).ConfigureAwait(false);
        load.Stop();
        Console.WriteLine($"  load {runs:N0} runs, 4 writers: {load.Elapsed.TotalSeconds:F1} s ({runs / load.Elapsed.TotalSeconds:N0} runs/s)");

        var label = ImmutableArray.Create(new LabelRequirement("team", LabelOperator.Equals, ["data"]));
        await ListAsync(store, "first page, unfiltered", new RunQuery(), iterations).ConfigureAwait(false);
        await ListAsync(store, "first page, pipeline=pipeline-3", new RunQuery { Pipeline = "pipeline-3" }, iterations).ConfigureAwait(false);
        await ListAsync(store, "first page, label team=data", new RunQuery { Labels = label }, iterations).ConfigureAwait(false);
        var rare = ImmutableArray.Create(new LabelRequirement("canary", LabelOperator.Equals, ["true"]));
        await ListAsync(store, "first page, label canary=true (0.2%)", new RunQuery { Labels = rare }, iterations).ConfigureAwait(false);
        await ListAsync(store, "first page, reason=Failed", new RunQuery { Reasons = ["Failed"] }, iterations).ConfigureAwait(false);
        if (store.Provider == "postgres")
        {
            // Right after a bulk load the planner has no statistics for run_labels yet; autovacuum
            // gathers them within a minute or so. Measure both.
            await using (var connection = new Npgsql.NpgsqlConnection(database))
            {
                await connection.OpenAsync(ct).ConfigureAwait(false);
                await using var analyze = new Npgsql.NpgsqlCommand("ANALYZE", connection);
                await analyze.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            await ListAsync(store, "after ANALYZE: label team=data", new RunQuery { Labels = label }, iterations).ConfigureAwait(false);
            await ListAsync(store, "after ANALYZE: label canary=true", new RunQuery { Labels = rare }, iterations).ConfigureAwait(false);
        }

        var deep = (await store.ListRunsAsync(new RunQuery { Limit = 500 }, ct).ConfigureAwait(false)).NextCursor;
        await ListAsync(store, "page after 500, unfiltered", new RunQuery { Cursor = deep }, iterations).ConfigureAwait(false);

        // Creation one by one, as API calls arrive.
        const int creates = 2000;
        var create = Stopwatch.StartNew();
        for (var i = 0; i < creates; i++)
        {
            await store.CreateRunAsync(MakeRun(runs + i, runs, manifest, runObject), "bench", ct).ConfigureAwait(false);
        }

        create.Stop();
        Console.WriteLine($"  create one by one: {creates / create.Elapsed.TotalSeconds:N0} runs/s ({create.Elapsed.TotalMilliseconds / creates:F2} ms each, {creates} runs)");

        // A chatty step: 100,000 lines of ~80 characters, appended 100 lines at a time.
        var line = new string('x', 72);
        var chunkText = string.Concat(Enumerable.Range(0, 100).Select(i => $"{i:D6} {line}\n"));
        var logs = Stopwatch.StartNew();
        for (var c = 0; c < 1000; c++)
        {
            await store.AppendLogsAsync(
            [
                new LogChunk { Uid = Uid(0), TaskRun = "build", Container = "step-compile", FirstLine = c * 100L, Text = chunkText, Time = Now },
            ], ct).ConfigureAwait(false);
        }

        logs.Stop();
        Console.WriteLine($"  log append: {100_000 / logs.Elapsed.TotalSeconds:N0} lines/s ({logs.Elapsed.TotalMilliseconds / 1000:F2} ms per 100-line chunk)");

        var prune = Stopwatch.StartNew();
        var pruned = await store.PruneAsync(new RetentionPolicy { SucceededStatus = "True", FailedStatus = "False", Default = new RetentionRule { KeepLast = 0, KeepLastFailed = 0 } }, Now, dryRun: false, ct).ConfigureAwait(false);
        prune.Stop();
        Console.WriteLine($"  prune: {pruned.Runs.Count:N0} finished runs and {pruned.LogChunks:N0} log chunks in {prune.Elapsed.TotalSeconds:F1} s");
    }

    private static async Task ListAsync(IRunStore store, string what, RunQuery query, int iterations)
    {
        for (var i = 0; i < 10; i++)
        {
            await store.ListRunsAsync(query, CancellationToken.None).ConfigureAwait(false);
        }

        var samples = new List<double>(iterations);
        var count = 0;
        for (var i = 0; i < iterations; i++)
        {
            var watch = Stopwatch.StartNew();
            count = (await store.ListRunsAsync(query, CancellationToken.None).ConfigureAwait(false)).Items.Count;
            samples.Add(watch.Elapsed.TotalMilliseconds);
        }

        samples.Sort();
        Console.WriteLine($"  {what,-38} p50 {Percentile(samples, 0.50),7:F2} ms  p99 {Percentile(samples, 0.99),7:F2} ms  ({count} items)");
    }

    internal static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static string Uid(int i) => $"{i:D8}-0000-4000-8000-{i * 7919L % 1_000_000_000_000:D12}";

    /// <summary>Run <paramref name="i"/> of <paramref name="total"/>: spread over 30 days, 1 % still active, 15 % failed.</summary>
    internal static RunRecord MakeRun(int i, int total, string manifest, string runObject)
    {
        var created = Now - TimeSpan.FromDays(30) + TimeSpan.FromSeconds(30.0 * 86400 * Math.Min(i, total - 1) / total) + TimeSpan.FromMilliseconds(i % 7);
        var pipeline = Pipelines[i % Pipelines.Length];
        var active = i % 100 == 99;
        var failed = !active && i % 7 == 3;
        return new RunRecord
        {
            Uid = Uid(i),
            Kind = i % 20 == 0 ? "TaskRun" : "PipelineRun",
            Name = $"{pipeline}-run-{i:D7}",
            Pipeline = pipeline,
            Labels = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new KeyValuePair<string, string>[]
            {
                new("app.kubernetes.io/part-of", "mothership"),
                new(i % 500 == 0 ? "canary" : "stable", "true"),
                new("team", Teams[i % Teams.Length]),
                new("trigger", i % 3 == 0 ? "push" : "pull-request"),
                new("tekton.dev/pipeline", pipeline),
            }),
            Phase = active ? RunPhase.Running : RunPhase.Finished,
            Status = active ? "Unknown" : failed ? "False" : "True",
            Reason = active ? "Running" : failed ? "Failed" : "Succeeded",
            CreatedAt = created,
            StartedAt = created.AddSeconds(2),
            CompletedAt = active ? null : created.AddMinutes(4 + (i % 11)),
            Manifest = manifest,
            Object = runObject,
            CreatedBy = "ci-bot",
        };
    }

    internal static string Manifest()
    {
        var text = new StringBuilder("apiVersion: tekton.dev/v1\nkind: PipelineRun\nmetadata:\n  generateName: build-\nspec:\n  pipelineRef:\n    name: build\n  params:\n");
        for (var i = 0; text.Length < 2048; i++)
        {
            text.Append($"    - name: param-{i}\n      value: \"value {i} {Guid.NewGuid():N}\"\n");
        }

        return text.ToString();
    }

    internal static string RunObject()
    {
        var text = new StringBuilder("{\"apiVersion\":\"tekton.dev/v1\",\"kind\":\"PipelineRun\",\"status\":{\"conditions\":[{\"type\":\"Succeeded\",\"status\":\"True\"}],\"childReferences\":[");
        for (var i = 0; text.Length < 4096; i++)
        {
            text.Append($"{{\"kind\":\"TaskRun\",\"name\":\"build-{Guid.NewGuid():N}\",\"pipelineTaskName\":\"task-{i}\"}},");
        }

        return text.Append("]}}").ToString();
    }
}
