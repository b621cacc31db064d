using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Mothership.Testing;

namespace Mothership.Bench;

/// <summary>
/// The server path of one big pipeline: an N-task layered DAG of no-op tasks (<see cref="LayeredDag"/>)
/// run by <c>mship run</c> (the baseline), then submitted to a <c>mship server</c> process (SQLite,
/// the local executor, the same parallelism) and waited for. Reports wall and CPU time of both
/// (CPU: the process and its reaped children, the steps, read from /proc), and the time of
/// <c>GET …/graph</c> while the run runs (as the dashboard asks for it, every 2 s) and after it ended.
/// With <c>--viewers K</c>, K clients follow the run's pushed changes (<c>GET …/watch</c>) meanwhile,
/// as K open dashboards do: the server's CPU time with K viewers against none says what they cost.
/// With <c>--warm-up W</c>, the server first runs a W-task pipeline of the same shape, untimed: a
/// server serves many runs, and a fresh one spends its first seconds compiling its hot paths again
/// (tiered compilation) on the cores the timed run needs.
/// </summary>
internal static class ServerBenchmark
{
    public static async Task<int> RunAsync(IReadOnlyList<int> sizes, int layers, int parallel, TimeSpan limit, bool skipLocal, int viewers, int warmUp, int lines)
    {
        Console.WriteLine($"layered DAG, {layers} layers, " + (lines == 0 ? "no-op tasks (bash -c true)" : $"tasks printing {lines} lines each") + $", parallelism {parallel}, {viewers} watch viewers"
            + (warmUp > 0 ? $", the server warmed up by an untimed {warmUp}-task run" : "") + $"; load average {LoadAverage()}");
        Console.WriteLine($"{"tasks",7} {"mship run wall/CPU s",22} {"server wall/CPU s",20} {"ratio",6} {"graph during first/p50/max ms",32} {"graph after p50 ms",19} {"load",6} {"client CPU s",13}");
        foreach (var tasks in sizes)
        {
            var dir = Directory.CreateTempSubdirectory("mothership-server-bench-");
            try
            {
                var file = Path.Combine(dir.FullName, "dag.yaml");
                await File.WriteAllTextAsync(file, LayeredDag.Yaml(tasks, layers, lines)).ConfigureAwait(false);
                var local = skipLocal ? (Wall: double.NaN, Cpu: double.NaN) : await LocalAsync(file, parallel, dir.FullName).ConfigureAwait(false);
                var server = await ServerAsync(file, tasks, layers, parallel, dir.FullName, limit, viewers, warmUp).ConfigureAwait(false);
                var ratio = server.Finished ? (server.Wall / local.Wall).ToString("F2", CultureInfo.InvariantCulture) : "-";
                var serverText = server.Finished
                    ? $"{server.Wall:F2} / {server.Cpu:F2}"
                    : $"unfinished: {server.Done:N0} done in {server.Wall:F0} s ({server.Done / server.Wall:F1}/s)";
                Console.WriteLine($"{tasks,7:N0} {$"{local.Wall:F2} / {local.Cpu:F2}",22} {serverText,20} {ratio,6} {$"{(server.GraphDuring.Count == 0 ? 0 : server.GraphDuring[0]):F0} / {Percentile(server.GraphDuring, 0.5):F0} / {(server.GraphDuring.Count == 0 ? 0 : server.GraphDuring.Max()):F0} (n={server.GraphDuring.Count})",32} {Percentile(server.GraphAfter, 0.5),19:F1} {LoadAverage(),6} {server.ClientCpu,13:F2}");
            }
            finally
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                try
                {
                    dir.Delete(recursive: true);
                }
                catch (DirectoryNotFoundException)
                {
                    // The server's leftover sweep removed a run folder under the delete's feet.
                }
            }
        }

        return 0;
    }

    /// <summary><c>mship run</c> of the file: wall and CPU time (<see cref="MshipTimer"/>).</summary>
    private static Task<(double Wall, double Cpu)> LocalAsync(string file, int parallel, string dir) =>
        MshipTimer.RunAsync("run", "-f", file, "--parallel", parallel.ToString(CultureInfo.InvariantCulture), "--workdir", Path.Combine(dir, "local-runs"));

    /// <summary><paramref name="ClientCpu"/>: this process's own CPU time while the run ran (its requests, their reading).</summary>
    private sealed record ServerResult(bool Finished, double Wall, double Cpu, int Done, List<double> GraphDuring, List<double> GraphAfter, double ClientCpu);

    /// <summary>Follows the run's pushed changes to their end, as a dashboard does: the frames and bytes it got.</summary>
    private static async Task<(int Frames, long Bytes)> ViewAsync(HttpClient http)
    {
        using var response = await http.GetAsync("api/v1/pipelineruns/dag-run/watch", HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync().ConfigureAwait(false));
        var frames = 0;
        long bytes = 0;
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            bytes += line.Length + 1;
            frames += line.StartsWith("event: ", StringComparison.Ordinal) ? 1 : 0;
        }

        return (frames, bytes);
    }

    private static async Task<ServerResult> ServerAsync(string file, int tasks, int layers, int parallel, string dir, TimeSpan limit, int viewers, int warmUp)
    {
        var database = $"sqlite:{Path.Combine(dir, "mothership.db")}";
        // The server as it ships (the ReadyToRun `mship server` of ./mship, in a process of its own):
        // its CPU time is read from /proc/PID/stat, so the clients of this process (the graph
        // requests, the viewers) are not counted as the server's.
        var environment = new Dictionary<string, string>
        {
            ["Mothership__Retention__Schedule"] = "",
            ["Logging__LogLevel__Default"] = "Warning",
            // As it ships, whatever this client runs with (Program.WithoutTieredCompilation).
            ["DOTNET_TieredCompilation"] = "1",
        };
        await using var server = await ServerProcess.StartAsync(dir, database, ["--max-concurrent-taskruns", parallel.ToString(CultureInfo.InvariantCulture)], environment: environment).ConfigureAwait(false);
        var pid = server.ProcessId!.Value;
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(server.Url + "/"), Timeout = TimeSpan.FromMinutes(10) };
            if (warmUp > 0)
            {
                // The same shape under other names (Pipeline "warm", PipelineRun "warm-run"), to its end.
                var warm = LayeredDag.Yaml(warmUp, layers).Replace("name: dag-run\n", "name: warm-run\n", StringComparison.Ordinal)
                    .Replace("name: dag\n", "name: warm\n", StringComparison.Ordinal);
                await CreateAsync(http, warm).ConfigureAwait(false);
                var warming = Stopwatch.StartNew();
                while (!await FinishedAsync(http, "warm").ConfigureAwait(false))
                {
                    if (warming.Elapsed > limit)
                    {
                        throw new TimeoutException($"the {warmUp}-task warm-up run did not end within {limit}");
                    }

                    await Task.Delay(100).ConfigureAwait(false);
                }
            }

            var body = await File.ReadAllTextAsync(file).ConfigureAwait(false);
            var cpu0 = ProcStat.CpuSeconds(pid);
            var clientCpu0 = ProcStat.CpuSeconds(Environment.ProcessId);
            var clock = Stopwatch.StartNew();
            await CreateAsync(http, body).ConfigureAwait(false);

            var watching = Enumerable.Range(0, viewers).Select(_ => ViewAsync(http)).ToList();
            // The dashboard's graph request, every 2 s while the run runs; the end is seen from the run list (summaries only).
            var during = new List<double>();
            var nextGraph = TimeSpan.Zero;
            var finished = false;
            while (clock.Elapsed < limit)
            {
                if (await FinishedAsync(http, "dag").ConfigureAwait(false))
                {
                    finished = true;
                    break;
                }

                if (clock.Elapsed >= nextGraph)
                {
                    // Timed to its last byte, not parsed: parsing a graph of thousands of nodes here (and
                    // the JIT compiling the parser's hot paths again) took about a second of CPU
                    // from the two cores the server and its steps run on (bench/RESULTS.md).
                    during.Add(await GraphMsAsync(http).ConfigureAwait(false));
                    nextGraph = clock.Elapsed + TimeSpan.FromSeconds(2);
                }

                await Task.Delay(100).ConfigureAwait(false);
            }

            var wall = clock.Elapsed.TotalSeconds;
            var cpu = ProcStat.CpuSeconds(pid) - cpu0;
            var clientCpu = ProcStat.CpuSeconds(Environment.ProcessId) - clientCpu0;
            if (!finished)
            {
                var graph = JsonNode.Parse(await GraphTextAsync(http).ConfigureAwait(false))!;
                var done = graph["nodes"]!.AsArray().Count(n => (string?)n!["state"] is "Succeeded" or "Failed" or "Skipped");
                await http.PostAsync("api/v1/pipelineruns/dag-run/cancel", null).ConfigureAwait(false);
                return new ServerResult(false, wall, cpu, done, during, [], clientCpu);
            }

            if (watching.Count > 0)
            {
                var seen = await Task.WhenAll(watching).ConfigureAwait(false);
                Console.WriteLine($"  {viewers} viewers got {seen.Min(v => v.Frames)}–{seen.Max(v => v.Frames)} frames, {seen.Average(v => v.Bytes) / 1024:N0} KiB each");
            }

            var after = new List<double>();
            for (var i = 0; i < 10; i++)
            {
                after.Add(await GraphMsAsync(http).ConfigureAwait(false));
            }

            return new ServerResult(true, wall, cpu, tasks, during, after, clientCpu);
        }
        finally
        {
            await server.StopAsync().ConfigureAwait(false);
        }
    }

    private static async Task CreateAsync(HttpClient http, string body)
    {
        using var created = await http.PostAsync("api/v1/pipelineruns", new StringContent(body, Encoding.UTF8, "application/yaml")).ConfigureAwait(false);
        if (created.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"create: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync().ConfigureAwait(false)}");
        }
    }

    /// <summary>Whether the run of <paramref name="pipeline"/> has ended, from the run list (summaries only).</summary>
    private static async Task<bool> FinishedAsync(HttpClient http, string pipeline)
    {
        using var list = await http.GetAsync($"api/v1/pipelineruns?pipeline={pipeline}&limit=1").ConfigureAwait(false);
        var item = JsonNode.Parse(await list.Content.ReadAsStringAsync().ConfigureAwait(false))!["items"]![0]!;
        return (string?)item["phase"] == "Finished";
    }

    /// <summary>
    /// How long <c>GET …/graph</c> takes to its last byte, as a viewer waits for it. The body is read
    /// into one reused buffer and dropped: buffered whole and decoded into a string (4.6 MB, then
    /// 9 MB, on the large object heap at 10,000 tasks) as before, this client's own work added about
    /// 80 ms to the p50 on this machine under load (an independent client,
    /// Python's http.client, polling the same server in the same run: 30 ms against 112 ms;
    /// bench/RESULTS.md).
    /// </summary>
    private static async Task<double> GraphMsAsync(HttpClient http)
    {
        var clock = Stopwatch.StartNew();
        using var response = await http.GetAsync("api/v1/pipelineruns/dag-run/graph", HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"graph: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync().ConfigureAwait(false)}");
        }

        await using var body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        while (await body.ReadAsync(GraphBuffer).ConfigureAwait(false) > 0)
        {
        }

        return clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>The buffer <see cref="GraphMsAsync"/> reads into (one request at a time).</summary>
    private static readonly byte[] GraphBuffer = new byte[64 * 1024];

    private static async Task<string> GraphTextAsync(HttpClient http)
    {
        using var response = await http.GetAsync("api/v1/pipelineruns/dag-run/graph").ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        return response.StatusCode == HttpStatusCode.OK ? text : throw new InvalidOperationException($"graph: {(int)response.StatusCode} {text}");
    }

    private static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }
}
