using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Mothership.Store;
using Mothership.Testing;

namespace Mothership.Bench;

/// <summary>
/// <c>… -- throughput [--runs N] [--paced M] [--rate R] [--queued Q] [--pipelines P] [--clients C] [--cli-samples S] [--db sqlite|postgres|both]</c>:
/// the server's run throughput on a real <c>mship server</c> process (<c>artifacts/cli/mship</c>,
/// local executor, its defaults). Baselines first, in the same invocation: one <c>mship run</c> of
/// an N-task pipeline without edges (<c>--parallel</c> = the server's default attempt slots) and
/// S sequential <c>mship run</c>s of a one-task pipeline (extrapolated to N). Then per database:
/// N one-task PipelineRuns created through the API at once (C clients), until all finished —
/// makespan, runs/s, create p50/p99, the server's CPU time and peak memory; then M paced at R a second
/// (open loop: each sent at its time whatever the answers before, its create time counted from then),
/// the case of the goal "create p99 while R runs/s go through"; then Q more queued in
/// one go across P pipelines, the first pipeline's half submitted before the others' (the case
/// where first-come-first-served claiming would starve them) — memory sampled as they drain, and
/// each pipeline's wait (created → started).
/// </summary>
internal static class ThroughputBenchmark
{
    private const int Warmups = 100;
    private const string FloorPath = "api/v1/pipelineruns?limit=1";

    /// <summary>The one task every run has: one step, the same no-op as bench/dag/generate.py's.</summary>
    private const string TaskSpec = """
              taskSpec:
                steps:
                  - name: noop
                    image: bash
                    command: ["bash", "-c", "true"]
        """;

    private sealed record Figures(string Db, string Phase, int Runs, TimeSpan Posted, List<double> Create, TimeSpan Makespan, double Sustained,
        List<double> Floor, CpuTimes Cpu, long PeakRssKb, int Failed, string LoadBefore, string LoadAfter, string Started, List<RunSummary> Finished,
        List<(double Fraction, long RssKb)> Memory);

    public static async Task<int> RunAsync(int runs, int queued, int pipelines, int clients, int cliSamples, string databases, int paced, double rate)
    {
        if (!File.Exists(MshipProcess.Binary))
        {
            Console.Error.WriteLine($"throughput: {MshipProcess.Binary} is missing: run ./mship --version once to build the CLI");
            return 2;
        }

        if (databases is "postgres" or "both" && !PostgresServer.IsInstalled)
        {
            Console.Error.WriteLine(PostgresServer.NotInstalledReason);
            return 1;
        }

        var slots = Environment.ProcessorCount * 2;
        Console.WriteLine($"throughput: {runs:N0} one-task PipelineRuns at once ({clients} clients), then {queued:N0} queued across {pipelines} pipelines; "
            + $"{Environment.ProcessorCount} cores, server attempt slots {slots} (its default); started {Now()}, load {Load()}");
        var dir = Directory.CreateTempSubdirectory("mothership-throughput-bench-");
        var results = new List<Figures>();
        var ok = true;
        try
        {
            var (flatWall, flatCpu, flatLoad) = await CliFlatAsync(dir.FullName, runs, slots).ConfigureAwait(false);
            var (oneWall, oneCpu, oneLoad) = await CliSequentialAsync(dir.FullName, cliSamples).ConfigureAwait(false);
            PostgresServer? postgres = null;
            try
            {
                foreach (var db in databases == "both" ? ["sqlite", "postgres"] : new[] { databases })
                {
                    string? database = null;
                    if (db == "postgres")
                    {
                        postgres ??= await PostgresServer.StartAsync().ConfigureAwait(false);
                        database = await postgres.CreateDatabaseAsync("throughput").ConfigureAwait(false);
                    }

                    var work = Directory.CreateDirectory(Path.Combine(dir.FullName, db));
                    var server = await ServerProcess.StartAsync(work.FullName, database).ConfigureAwait(false);
                    try
                    {
                        await ApplyPipelinesAsync(server, pipelines).ConfigureAwait(false);
                        await using var store = RunStoreFactory.Open(server.Database, TimeProvider.System);
                        Console.WriteLine($"[{db}] warm-up: {Warmups} runs");
                        await BurstAsync(server, store, db, "warm-up", [.. Enumerable.Repeat(0, Warmups)], clients).ConfigureAwait(false);
                        var burst = await BurstAsync(server, store, db, $"{runs:N0} at once", [.. Enumerable.Range(0, runs).Select(i => i % pipelines)], clients).ConfigureAwait(false);
                        results.Add(burst);
                        if (paced > 0)
                        {
                            var steady = await BurstAsync(server, store, db, $"{paced:N0} paced at {rate:N0}/s", [.. Enumerable.Range(0, paced).Select(i => i % pipelines)], clients, rate).ConfigureAwait(false);
                            results.Add(steady);
                            ok &= steady.Failed == 0;
                        }

                        // Half for the first pipeline, submitted first; then the others' half, round robin.
                        var order = Enumerable.Repeat(0, queued / 2).Concat(Enumerable.Range(0, queued - queued / 2).Select(i => 1 + i % Math.Max(1, pipelines - 1))).ToArray();
                        var backlog = await BurstAsync(server, store, db, $"{queued:N0} queued", order, clients).ConfigureAwait(false);
                        results.Add(backlog);
                        ok &= burst.Failed == 0 && backlog.Failed == 0;
                        var errors = server.Output.Split('\n').Where(l => l.StartsWith("fail:", StringComparison.Ordinal) || l.StartsWith("crit:", StringComparison.Ordinal)).ToList();
                        if (errors.Count > 0)
                        {
                            ok = false;
                            Console.WriteLine($"  server errors: {errors.Count} lines, first: {errors[0].Trim()}");
                        }
                    }
                    finally
                    {
                        try
                        {
                            await server.StopAsync().ConfigureAwait(false);
                        }
                        catch (OperationCanceledException)
                        {
                            Console.WriteLine("  (the server did not stop within 30 s of SIGTERM: killed)");
                        }

                        await server.DisposeAsync().ConfigureAwait(false);
                        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                    }
                }
            }
            finally
            {
                if (postgres is not null)
                {
                    await postgres.DisposeAsync().ConfigureAwait(false);
                }
            }

            Print(results, runs, slots, (flatWall, flatCpu, flatLoad), (oneWall, oneCpu, oneLoad), cliSamples);
        }
        finally
        {
            try
            {
                dir.Delete(recursive: true);
            }
            catch (IOException e)
            {
                Console.WriteLine($"(could not remove {dir.FullName}: {e.Message})");
            }
        }

        Console.WriteLine($"finished {Now()}, load {Load()}");
        return ok ? 0 : 1;
    }

    private static string Load() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static string Now() => TimeProvider.System.GetUtcNow().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string F(double v) => v.ToString("0.00", CultureInfo.InvariantCulture);

    private static double P(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : StoreBenchmark.Percentile(sorted, p);

    /// <summary>Baseline 1: one <c>mship run</c> of an N-task pipeline without edges, timed by <c>/usr/bin/time</c> (wall, user + system of it and its steps).</summary>
    private static async Task<(double Wall, double Cpu, string Load)> CliFlatAsync(string dir, int tasks, int parallel)
    {
        var yaml = new StringBuilder("apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata:\n  name: flat\nspec:\n  tasks:\n");
        for (var i = 0; i < tasks; i++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"    - name: t{i:D5}\n").Append(TaskSpec).Append('\n');
        }

        yaml.Append("---\napiVersion: tekton.dev/v1\nkind: PipelineRun\nmetadata:\n  name: flat-run\nspec:\n  pipelineRef:\n    name: flat\n");
        var file = Path.Combine(dir, "flat.yaml");
        await File.WriteAllTextAsync(file, yaml.ToString()).ConfigureAwait(false);
        var load = Load();
        var (wall, cpu) = await MshipTimer.RunAsync(["run", "-f", file, "--parallel", parallel.ToString(CultureInfo.InvariantCulture), "--workdir", Path.Combine(dir, "flat-work")]).ConfigureAwait(false);
        Console.WriteLine($"baseline: mship run of a {tasks:N0}-task pipeline without edges, --parallel {parallel}: {wall:F2} s wall, {cpu:F2} s CPU, load {load} → {Load()}");
        return (wall, cpu, $"{load.Split(' ')[0]} → {Load().Split(' ')[0]}");
    }

    /// <summary>Baseline 2: S one-task <c>mship run</c>s one after another (bench/dag/generate.py --tasks 1's shape); mean per run.</summary>
    private static async Task<(double Wall, double Cpu, string Load)> CliSequentialAsync(string dir, int samples)
    {
        var file = Path.Combine(dir, "one-task.yaml");
        await File.WriteAllTextAsync(file, "apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata:\n  name: one\nspec:\n  tasks:\n    - name: t0\n" + TaskSpec
            + "\n---\napiVersion: tekton.dev/v1\nkind: PipelineRun\nmetadata:\n  name: one-run\nspec:\n  pipelineRef:\n    name: one\n").ConfigureAwait(false);
        var load = Load();
        await MshipTimer.RunAsync(["run", "-f", file, "--workdir", Path.Combine(dir, "one-warm")]).ConfigureAwait(false);
        double wall = 0, cpu = 0;
        for (var i = 0; i < samples; i++)
        {
            var (w, c) = await MshipTimer.RunAsync(["run", "-f", file, "--workdir", Path.Combine(dir, $"one-{i}")]).ConfigureAwait(false);
            wall += w;
            cpu += c;
        }

        Console.WriteLine($"baseline: {samples} one-task mship runs one after another: {wall / samples * 1000:F1} ms wall, {cpu / samples * 1000:F1} ms CPU each; load {load} → {Load()}");
        return (wall / samples, cpu / samples, $"{load.Split(' ')[0]} → {Load().Split(' ')[0]}");
    }

    /// <summary>Pipeline <c>tp-P</c>: one task, one no-op step.</summary>
    internal static string Pipeline(int p) =>
        string.Create(CultureInfo.InvariantCulture, $"apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata:\n  name: tp-{p}\nspec:\n  tasks:\n    - name: t0\n") + TaskSpec + "\n";

    /// <summary>The body that creates a run of pipeline <c>tp-P</c>, JSON as API clients post it.</summary>
    internal static string Body(int p) =>
        "{\"apiVersion\":\"tekton.dev/v1\",\"kind\":\"PipelineRun\",\"metadata\":{\"generateName\":\"tp-" + p.ToString(CultureInfo.InvariantCulture)
            + "-\"},\"spec\":{\"pipelineRef\":{\"name\":\"tp-" + p.ToString(CultureInfo.InvariantCulture) + "\"}}}";

    private static async Task ApplyPipelinesAsync(ServerProcess server, int pipelines)
    {
        var yaml = new StringBuilder();
        for (var p = 0; p < pipelines; p++)
        {
            yaml.Append("---\n").Append(Pipeline(p));
        }

        using var response = await server.Http.PostAsync("api/v1/apply", new StringContent(yaml.ToString(), Encoding.UTF8, "application/yaml")).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"apply answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync().ConfigureAwait(false)}");
        }
    }

    /// <summary>
    /// Creates one run per entry of <paramref name="pipelineOf"/> (the pipeline's index), <paramref name="clients"/>
    /// at a time or, with <paramref name="rate"/>, paced at that many a second, and waits until all have finished.
    /// </summary>
    private static async Task<Figures> BurstAsync(ServerProcess server, IRunStore store, string db, string phase, int[] pipelineOf, int clients, double? rate = null)
    {
        var pid = server.ProcessId!.Value;
        var loadBefore = Load();
        var started = Now();
        var finishedBefore = await FinishedAsync(store).ConfigureAwait(false);
        var cpuBefore = ProcStat.Cpu(pid);
        var opsBefore = await StoreOperationsAsync(server).ConfigureAwait(false);
        var bodies = pipelineOf.Select(Body).ToArray();
        var create = new ConcurrentBag<double>();
        var names = new ConcurrentBag<string>();
        var next = -1;
        var start = TimeProvider.System.GetUtcNow();
        var clock = Stopwatch.StartNew();
        // One create; its time counts from when it was due (paced: its place in the schedule, so a
        // server that falls behind is charged for the wait too), else from when it was sent.
        async Task PostAsync(int i, TimeSpan? due)
        {
            var sentAt = due ?? clock.Elapsed;
            using var response = await server.Http.PostAsync("api/v1/pipelineruns", new StringContent(bodies[i], Encoding.UTF8, "application/json")).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            create.Add((clock.Elapsed - sentAt).TotalMilliseconds);
            if ((int)response.StatusCode != 201)
            {
                throw new InvalidOperationException($"POST /api/v1/pipelineruns answered {(int)response.StatusCode}: {text}");
            }
        }

        if (rate is { } perSecond)
        {
            // Open loop: run i is sent at i / rate seconds whether or not the ones before were answered.
            var sends = new List<Task>(bodies.Length);
            for (var i = 0; i < bodies.Length; i++)
            {
                var due = TimeSpan.FromSeconds(i / perSecond);
                if (due - clock.Elapsed is { Ticks: > 0 } wait)
                {
                    await Task.Delay(wait).ConfigureAwait(false);
                }

                var index = i;
                sends.Add(Task.Run(() => PostAsync(index, due)));
            }

            await Task.WhenAll(sends).ConfigureAwait(false);
        }
        else
        {
            // Closed loop: each client sends its next create when the last was answered, so a create's
            // time is the clients in flight over the server's create rate (a saturation test).
            await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < bodies.Length)
                {
                    await PostAsync(i, null).ConfigureAwait(false);
                }
            }))).ConfigureAwait(false);
        }

        var posted = clock.Elapsed;

        // Until every run has finished: the floor (a list call) every 50 ms, memory and the count every 250 ms.
        var floor = new List<double>();
        var memory = new List<(double, long)>();
        var deadline = TimeSpan.FromSeconds(Math.Max(600, bodies.Length * 0.5));
        var lastCount = Stopwatch.StartNew();
        long finished = 0;
        while (clock.Elapsed < deadline)
        {
            var sent = Stopwatch.StartNew();
            using (var response = await server.Http.GetAsync(FloorPath).ConfigureAwait(false))
            {
                await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            }

            floor.Add(sent.Elapsed.TotalMilliseconds);
            if (lastCount.ElapsedMilliseconds >= 250)
            {
                lastCount.Restart();
                finished = await FinishedAsync(store).ConfigureAwait(false) - finishedBefore;
                memory.Add((finished / (double)bodies.Length, ProcStat.Rss(pid).Current));
                if (finished >= bodies.Length)
                {
                    break;
                }
            }

            await Task.Delay(50).ConfigureAwait(false);
        }

        var cpu = ProcStat.Cpu(pid) - cpuBefore;
        var opsAfter = await StoreOperationsAsync(server).ConfigureAwait(false);
        var runs = (await AllRunsAsync(store).ConfigureAwait(false)).Where(r => r.CreatedAt >= start).ToList();
        var done = runs.Where(r => r.Phase == RunPhase.Finished && r.CompletedAt is not null).OrderBy(r => r.CompletedAt).ToList();
        var makespan = done.Count == bodies.Length ? done[^1].CompletedAt!.Value - start : TimeSpan.MaxValue;
        // Sustained: the completions between the 10th and the 90th percentile, over the time between them.
        var sustained = done.Count >= 10
            ? (done.Count * 0.8) / (done[(int)(done.Count * 0.9) - 1].CompletedAt!.Value - done[(int)(done.Count * 0.1)].CompletedAt!.Value).TotalSeconds
            : double.NaN;
        var failed = runs.Count(r => r.Phase == RunPhase.Finished && r.Status != "True") + (bodies.Length - done.Count);
        var createTimes = create.ToList();
        createTimes.Sort();
        floor.Sort();
        var figures = new Figures(db, phase, bodies.Length, posted, createTimes, makespan, sustained, floor, cpu, ProcStat.Rss(pid).Peak, failed, loadBefore, Load(), started, done, memory);
        Console.WriteLine($"  [{db}] {phase}: posted in {posted.TotalSeconds:F1} s (create p50 {F(P(createTimes, 0.5))} / p99 {F(P(createTimes, 0.99))} ms), "
            + $"{(makespan == TimeSpan.MaxValue ? $"NOT drained ({done.Count} of {bodies.Length} finished)" : $"makespan {makespan.TotalSeconds:F1} s ({bodies.Length / makespan.TotalSeconds:F1} runs/s, sustained {sustained:F1}/s)")}, "
            + $"server CPU {cpu.Total:F1} s ({PerRun(cpu, bodies.Length)}), failed {failed}, load {loadBefore} → {figures.LoadAfter}");
        // Where the store time went: per operation, calls per run and mean time (the SQLite
        // writer's turn included, which is where a create waits behind the runs' own writes).
        var ops = opsAfter.Select(o => (Op: o.Key, Count: o.Value.Count - opsBefore.GetValueOrDefault(o.Key).Count, Sum: o.Value.Sum - opsBefore.GetValueOrDefault(o.Key).Sum))
            .Where(o => o.Count > 0).OrderByDescending(o => o.Sum).Take(8).ToList();
        Console.WriteLine($"  [{db}] {phase}: store operations (calls per run, mean ms, total s): "
            + string.Join("; ", ops.Select(o => $"{o.Op} {o.Count / (double)bodies.Length:F2}, {o.Sum / o.Count * 1000:F2} ms, {o.Sum:F1} s")));
        return figures;
    }

    /// <summary>The server's <c>mothership_store_operation_duration_seconds</c> count and sum per operation, from <c>GET /metrics</c>.</summary>
    private static async Task<Dictionary<string, (long Count, double Sum)>> StoreOperationsAsync(ServerProcess server)
    {
        const string Prefix = "mothership_store_operation_duration_seconds_";
        var text = await server.Http.GetStringAsync("metrics").ConfigureAwait(false);
        var ops = new Dictionary<string, (long Count, double Sum)>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var at = line.IndexOf("operation=\"", StringComparison.Ordinal);
            if (!line.StartsWith(Prefix, StringComparison.Ordinal) || at < 0)
            {
                continue;
            }

            var op = line[(at + 11)..line.IndexOf('"', at + 11)];
            var value = double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            var (count, sum) = ops.GetValueOrDefault(op);
            if (line.StartsWith(Prefix + "count", StringComparison.Ordinal))
            {
                ops[op] = ((long)value, sum);
            }
            else if (line.StartsWith(Prefix + "sum", StringComparison.Ordinal))
            {
                ops[op] = (count, value);
            }
        }

        return ops;
    }

    private static async Task<long> FinishedAsync(IRunStore store) =>
        (await store.CountRunsAsync(CancellationToken.None).ConfigureAwait(false)).Where(c => c.Kind == "PipelineRun" && c.Phase == RunPhase.Finished).Sum(c => c.Count);

    private static async Task<List<RunSummary>> AllRunsAsync(IRunStore store)
    {
        var all = new List<RunSummary>();
        string? cursor = null;
        do
        {
            var page = await store.ListRunsAsync(new RunQuery { Kind = "PipelineRun", Limit = 500, Cursor = cursor }, CancellationToken.None).ConfigureAwait(false);
            all.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return all;
    }

    private static void Print(List<Figures> results, int runs, int slots, (double Wall, double Cpu, string Load) flat, (double Wall, double Cpu, string Load) one, int samples)
    {
        Console.WriteLine();
        Console.WriteLine($"| {runs:N0} one-task runs | makespan | runs/s (sustained) | create p50 / p99 | list p50 / p99 while running | CPU (server + steps; per run) | peak RSS | failed | load (1 min) before → after | started |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        Console.WriteLine($"| `mship run`, one {runs:N0}-task pipeline without edges, --parallel {slots} (baseline) | {flat.Wall:F2} s | {runs / flat.Wall:F0} | - | - | {flat.Cpu:F2} s | - | - | {flat.Load} | |");
        Console.WriteLine($"| `mship run` of a one-task pipeline, one after another (baseline: mean of {samples}, × {runs:N0}) | {one.Wall * runs:F1} s | {1 / one.Wall:F1} | - | - | {one.Cpu * runs:F1} s ({one.Cpu * 1000:F0} ms each) | - | - | {one.Load} | |");
        foreach (var r in results.Where(r => r.Phase.EndsWith("at once", StringComparison.Ordinal)))
        {
            Row(r);
        }

        if (results.Any(r => r.Phase.Contains(" paced at ", StringComparison.Ordinal)))
        {
            // The goal's case: runs arriving at the rate the server must sustain, each create timed from when it was due.
            Console.WriteLine();
            Console.WriteLine("| paced runs (open loop) | makespan | runs/s (sustained) | create p50 / p99 | list p50 / p99 while running | CPU (server + steps; per run) | peak RSS | failed | load (1 min) before → after | started |");
            Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
            foreach (var r in results.Where(r => r.Phase.Contains(" paced at ", StringComparison.Ordinal)))
            {
                Row(r);
            }
        }

        Console.WriteLine();
        Console.WriteLine("| queued runs | makespan | runs/s (sustained) | create p50 / p99 | list p50 / p99 while running | CPU (server + steps; per run) | peak RSS | failed | load (1 min) before → after | started |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var r in results.Where(r => r.Phase.EndsWith("queued", StringComparison.Ordinal)))
        {
            Row(r);
        }

        foreach (var r in results.Where(r => r.Phase.EndsWith("queued", StringComparison.Ordinal)))
        {
            Console.WriteLine();
            Console.WriteLine($"{r.Db}, {r.Phase}: server RSS as the backlog drained (share finished → MB): "
                + string.Join(", ", Enumerable.Range(0, 11).Select(k => k / 10.0).Select(f => r.Memory.FirstOrDefault(m => m.Fraction >= f, r.Memory.LastOrDefault()))
                    .Select(m => $"{m.Fraction * 100:F0} % → {m.RssKb / 1024}")));
            Console.WriteLine();
            // First-run wait: from the pipeline's first run created to its first run started — how
            // long a pipeline that queues behind another's backlog waits for anything to happen.
            Console.WriteLine($"| {r.Db}: pipeline | runs | submitted | **first-run wait** | wait p50 (created → started) | **max wait** | first started | median finished | last finished |");
            Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
            var origin = r.Finished.Min(x => x.CreatedAt);
            foreach (var g in r.Finished.GroupBy(x => x.Pipeline).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var waits = g.Select(x => ((x.StartedAt ?? x.CompletedAt!.Value) - x.CreatedAt).TotalSeconds).Order().ToList();
                var ends = g.Select(x => (x.CompletedAt!.Value - origin).TotalSeconds).Order().ToList();
                var created = g.Select(x => (x.CreatedAt - origin).TotalSeconds).Order().ToList();
                var firstStarted = g.Min(x => ((x.StartedAt ?? x.CompletedAt!.Value) - origin).TotalSeconds);
                Console.WriteLine($"| {g.Key} | {g.Count():N0} | {created[0]:F1}–{created[^1]:F1} s | **{firstStarted - created[0]:F1} s** | {P(waits, 0.5):F1} s | **{waits[^1]:F1} s** | "
                    + $"{firstStarted:F1} s | {P(ends, 0.5):F1} s | {ends[^1]:F1} s |");
            }
        }
    }

    /// <summary>CPU per run, the server's own and its steps' (the children it waited for), which moves less with the load than wall time.</summary>
    private static string PerRun(CpuTimes cpu, int runs) =>
        $"{cpu.Own * 1000 / runs:F1} + {cpu.Children * 1000 / runs:F1} ms a run";

    private static void Row(Figures r)
    {
        var drained = r.Makespan != TimeSpan.MaxValue;
        Console.WriteLine($"| `mship server`, {r.Db}: created through the API ({r.Runs:N0}, posted in {r.Posted.TotalSeconds:F1} s) | "
            + $"{(drained ? $"{r.Makespan.TotalSeconds:F2} s" : "not drained")} | {(drained ? $"{r.Runs / r.Makespan.TotalSeconds:F0} ({r.Sustained:F0})" : "-")} | "
            + $"{F(P(r.Create, 0.5))} / {F(P(r.Create, 0.99))} ms | {F(P(r.Floor, 0.5))} / {F(P(r.Floor, 0.99))} ms | {r.Cpu.Total:F1} s ({PerRun(r.Cpu, r.Runs)}) | {r.PeakRssKb / 1024} MB | {r.Failed} | "
            + $"{r.LoadBefore.Split(' ')[0]} → {r.LoadAfter.Split(' ')[0]} | {r.Started} |");
    }
}
