using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Mothership.Server.Hosting;
using Mothership.Store;
using Mothership.Testing;

namespace Mothership.Bench;

/// <summary>
/// The dashboard's server side with a realistic history: N stored runs (SQLite, the default
/// store) and one run with a big chatty log, served by a real <c>mship server</c> host on
/// loopback. Times what the runs list page asks for, and what the log viewer asks for when it
/// opens a 50 MB log, pages to its middle, searches it, and what a download costs for comparison.
/// </summary>
internal static class DashboardBenchmark
{
    private const int LineBytes = 100;
    private const int LinesPerChunk = 1000;

    public static async Task<int> RunAsync(int runs, int iterations, int logMegabytes)
    {
        var dir = Directory.CreateTempSubdirectory("mothership-dashboard-bench-");
        var database = $"sqlite:{Path.Combine(dir.FullName, "mothership.db")}";
        try
        {
            var lines = logMegabytes * 1024L * 1024 / LineBytes;
            await SeedAsync(database, runs, lines).ConfigureAwait(false);
            var port = LoopbackPort.Free();
            var app = ServerHost.Build(new Dictionary<string, string?>
            {
                ["Mothership:Database"] = database,
                ["Mothership:Urls"] = $"http://127.0.0.1:{port}",
                ["Mothership:Workdir"] = Path.Combine(dir.FullName, "runs"),
                ["Mothership:Retention:Schedule"] = "",
                ["Logging:LogLevel:Default"] = "Warning",
            });
            await app.StartAsync().ConfigureAwait(false);
            try
            {
                using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
                Console.WriteLine($"{runs:N0} stored runs, one run with a {logMegabytes} MB log ({lines:N0} lines of {LineBytes} bytes in chunks of {LinesPerChunk}); {iterations} calls each, p50 / p99");
                await TimeAsync(http, "runs list page: GET / (the app's HTML)", "", iterations).ConfigureAwait(false);
                await TimeAsync(http, "runs list data: first page (limit 50)", "api/v1/pipelineruns?limit=50", iterations).ConfigureAwait(false);
                await TimeAsync(http, "runs list data: pipeline filter", "api/v1/pipelineruns?limit=50&pipeline=pipeline-3", iterations).ConfigureAwait(false);
                await TimeAsync(http, "runs list data: status=Failed", "api/v1/pipelineruns?limit=50&status=Failed", iterations).ConfigureAwait(false);
                await TimeAsync(http, "runs list data: label team=data, since 7 days", "api/v1/pipelineruns?limit=50&labelSelector=team%3Ddata&since=168h", iterations).ConfigureAwait(false);

                const string log = "api/v1/pipelineruns/big-log/logs?format=json&taskRun=big-log-build&container=step-build";
                await TimeAsync(http, "log viewer opens: first page (2,000 lines)", $"{log}&limit=1000&maxLines=2000", iterations).ConfigureAwait(false);
                var middle = lines / LinesPerChunk / 2;
                await TimeAsync(http, "log viewer scrolls: a page in the middle", $"{log}&limit=1000&maxLines=2000&afterId={middle}", iterations).ConfigureAwait(false);
                await TimeAsync(http, "log viewer search: one match in the whole log", $"api/v1/pipelineruns/big-log/logs/search?taskRun=big-log-build&container=step-build&q=line%20{lines - 7:D9}", Math.Max(5, iterations / 20)).ConfigureAwait(false);
                await TimeAsync(http, "download: the whole log (for comparison)", "api/v1/pipelineruns/big-log/logs?taskRun=big-log-build&container=step-build&download=true", 3).ConfigureAwait(false);
            }
            finally
            {
                await app.StopAsync().ConfigureAwait(false);
                await app.DisposeAsync().ConfigureAwait(false);
            }

            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            dir.Delete(recursive: true);
        }
    }

    private static async Task SeedAsync(string database, int runs, long lines)
    {
        var clock = Stopwatch.StartNew();
        await using var store = RunStoreFactory.Open(database, TimeProvider.System);
        await store.MigrateAsync(CancellationToken.None).ConfigureAwait(false);
        var manifest = StoreBenchmark.Manifest();
        var runObject = StoreBenchmark.RunObject();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < runs)
            {
                // Finished runs only: a server would claim active ones, and their manifests are filler.
                var run = StoreBenchmark.MakeRun(i, runs, manifest, runObject);
                if (run.Phase != RunPhase.Finished)
                {
                    run = run with { Phase = RunPhase.Finished, Status = "True", Reason = "Succeeded", CompletedAt = run.StartedAt };
                }

                await store.CreateRunAsync(run, "bench", CancellationToken.None).ConfigureAwait(false);
            }
        }))).ConfigureAwait(false);

        var now = TimeProvider.System.GetUtcNow();
        var obj = new JsonObject
        {
            ["apiVersion"] = "tekton.dev/v1",
            ["kind"] = "PipelineRun",
            ["metadata"] = new JsonObject { ["name"] = "big-log", ["uid"] = "big-log" },
            ["status"] = new JsonObject
            {
                ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Succeeded", ["status"] = "True", ["reason"] = "Succeeded" }),
                ["childReferences"] = new JsonArray(new JsonObject { ["kind"] = "TaskRun", ["name"] = "big-log-build", ["pipelineTaskName"] = "build" }),
            },
        };
        await store.CreateRunAsync(new RunRecord
        {
            Uid = "big-log", Kind = "PipelineRun", Name = "big-log", Pipeline = "chatty", Phase = RunPhase.Finished, Status = "True", Reason = "Succeeded",
            CreatedAt = now, StartedAt = now, CompletedAt = now, Manifest = "", Object = obj.ToJsonString(),
        }, "bench", CancellationToken.None).ConfigureAwait(false);
        var text = new StringBuilder();
        for (long first = 0; first < lines; first += LinesPerChunk)
        {
            text.Clear();
            for (var l = first; l < Math.Min(lines, first + LinesPerChunk); l++)
            {
                // 100 bytes with the newline, one line in 50 with ANSI colour as a chatty build prints.
                var line = l % 50 == 0 ? $"\u001b[32mline {l:D9}\u001b[0m ok " : $"line {l:D9} compiling module {l % 997:D4} of the project ";
                text.Append(line.PadRight(LineBytes - 1, '.')).Append('\n');
            }

            await store.AppendLogsAsync([new LogChunk { Uid = "big-log", TaskRun = "big-log-build", Container = "step-build", FirstLine = first, Text = text.ToString(), Time = now }],
                CancellationToken.None).ConfigureAwait(false);
        }

        Console.WriteLine($"seeded in {clock.Elapsed.TotalSeconds:F1} s");
    }

    private static async Task TimeAsync(HttpClient http, string what, string path, int iterations)
    {
        var times = new List<double>();
        long bytes = 0;
        for (var i = -Math.Min(10, iterations); i < iterations; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await http.GetAsync(path).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            clock.Stop();
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {Encoding.UTF8.GetString(body)}");
            }

            if (i >= 0)
            {
                times.Add(clock.Elapsed.TotalMilliseconds);
                bytes = body.Length;
            }
        }

        times.Sort();
        Console.WriteLine($"{what,-52} {StoreBenchmark.Percentile(times, 0.5),9:F2} / {StoreBenchmark.Percentile(times, 0.99),9:F2} ms   {bytes,12:N0} bytes");
    }

}
