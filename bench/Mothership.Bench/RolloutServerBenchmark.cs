using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Mothership.Cloud.Rollouts;
using Mothership.Engine.Execution;
using Mothership.Model.Tekton.Vocabulary;
using Mothership.Server.Execution;
using Mothership.Server.Hosting;
using Mothership.Server.Observability;
using Mothership.Server.Rollouts;
using Mothership.Store;

namespace Mothership.Bench;

/// <summary>
/// <c>rollout --server [--sizes 200,1000] [--parallel 1,10,100] [--seed S]</c>: a rollout of prod
/// through the real server (<see cref="ServerHost.Build"/> in a child process per size and policy,
/// so each one's memory is its own) over a generated git site repository of N sites in 5 regions,
/// three chained services each (db ← ident ← image). Everything of the server runs for real —
/// the rollout driver, site deploy intake (deploy Pipelines generated from the repository), the
/// run controller and engine, the SQLite store — except the TaskRuns: <see cref="DeployStandIn"/>
/// takes a service's TaskRun and ends it after its share of the site's simulated deploy time
/// (the draws of <see cref="RolloutBenchmark"/>: lognormal, median 20 min, 2 % of sites fail).
/// Simulated time: the server's clock (<see cref="SimulatedClock"/>) is the system's plus an
/// offset, and the benchmark moves the offset to the next stand-in's end whenever the server is
/// idle (every deploying site has its TaskRun waiting and the rollout's version stands still), so
/// the makespan is simulated deploy time plus the server's own real time, never shortened.
/// Reports the makespan, the process's CPU time, peak working set and GC heap, and store writes
/// per site, counted at the store by the server's own per-operation metric.
/// </summary>
internal static class RolloutServerBenchmark
{
    public const string ChildMode = "--server-one";

    private static readonly string[] Regions = ["kr1", "kr2", "us1", "eu1", "jp1"];

    private static readonly string[] Services = ["db", "ident", "image"];

    /// <summary>Store operations that write (each one a transaction); the rest only read.</summary>
    private static readonly ImmutableHashSet<string> Writes =
    [
        "add_audit", "add_event", "append_logs", "apply_resource", "claim_rollouts", "claim_runs", "commit_transition", "create_rollout", "create_run",
        "delete_logs", "delete_run", "finish_site_deploy", "release_lease", "release_owner", "release_pending", "renew_leases", "request_cancel",
        "start_site_deploy", "update_rollout", "record_site_drift", "prune", "delete_resource",
    ];

    /// <summary>Leases and claims: written every poll whatever happens, so shown apart from the writes the sites cause.</summary>
    private static readonly ImmutableHashSet<string> Periodic = ["claim_rollouts", "claim_runs", "renew_leases", "release_lease", "release_owner"];

    private sealed record Result(int Sites, int Parallel, string Status, int Succeeded, int Failed, double SequentialHours, double MakespanHours, double RealSeconds,
        double CpuSeconds, double PeakWorkingSetMb, double PeakGcHeapMb, Dictionary<string, long> Operations, Dictionary<string, long> Rows, long DatabaseBytes,
        int Jumps, long RolloutDocumentBytes);

    /// <summary>The parent: one child process per size and policy, then the table.</summary>
    public static int Run(int[] sizes, int[] parallels, int seed)
    {
        var results = new List<Result>();
        foreach (var sites in sizes)
        {
            foreach (var parallel in parallels)
            {
                var info = Program.StartOfThisProgram();
                info.RedirectStandardOutput = true;
                foreach (var a in new[] { "rollout", ChildMode, "--sites", sites.ToString(CultureInfo.InvariantCulture), "--parallel", parallel.ToString(CultureInfo.InvariantCulture), "--seed", seed.ToString(CultureInfo.InvariantCulture) })
                {
                    info.ArgumentList.Add(a);
                }

                Console.Error.WriteLine($"{sites} sites, maxParallelSites {parallel} …");
                using var child = Process.Start(info)!;
                var output = child.StandardOutput.ReadToEnd();
                child.WaitForExit();
                var line = output.Split('\n').LastOrDefault(l => l.StartsWith('{'));
                if (child.ExitCode != 0 || line is null)
                {
                    Console.Error.WriteLine($"{sites} sites, maxParallelSites {parallel}: exit {child.ExitCode}\n{output}");
                    return 1;
                }

                // Each result as it comes, so a run cut short keeps what it measured.
                Console.Error.WriteLine(line);
                results.Add(JsonSerializer.Deserialize<Result>(line)!);
            }
        }

        Print(results);
        return 0;
    }

    private static void Print(List<Result> results)
    {
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine("| sites | maxParallelSites | ended | makespan (h) | vs sequential | real time (s) | clock jumps | server CPU (s) | CPU per site (ms) | peak working set (MB) | peak GC heap (MB) | store writes per site | of them lease/claim polls | rows per site | database (MB) | rollout document (KB) |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var r in results)
        {
            var writes = r.Operations.Where(o => Writes.Contains(o.Key)).Sum(o => o.Value);
            var periodic = r.Operations.Where(o => Periodic.Contains(o.Key)).Sum(o => o.Value);
            Console.WriteLine(string.Create(c,
                $"| {r.Sites} | {r.Parallel} | {r.Status} ({r.Succeeded} ok, {r.Failed} failed) | {r.MakespanHours:0.0} | {r.SequentialHours / r.MakespanHours:0.0}× | {r.RealSeconds:0} | {r.Jumps} | {r.CpuSeconds:0.0} | {1000 * r.CpuSeconds / r.Sites:0} | {r.PeakWorkingSetMb:0} | {r.PeakGcHeapMb:0} | {(double)writes / r.Sites:0.0} | {(double)periodic / r.Sites:0.0} | {(double)r.Rows.Values.Sum() / r.Sites:0.0} | {r.DatabaseBytes / 1048576.0:0.0} | {r.RolloutDocumentBytes / 1024.0:0} |"));
        }

        Console.WriteLine();
        Console.WriteLine("Store writes per site by operation (each one a transaction):");
        Console.WriteLine();
        var ops = results.SelectMany(r => r.Operations.Keys).Where(Writes.Contains).Distinct().Order(StringComparer.Ordinal).ToList();
        Console.WriteLine("| sites | maxParallelSites | " + string.Join(" | ", ops) + " |");
        Console.WriteLine("| --- | --- | " + string.Join(" | ", ops.Select(_ => "---")) + " |");
        foreach (var r in results)
        {
            Console.WriteLine(string.Create(c, $"| {r.Sites} | {r.Parallel} | ") + string.Join(" | ", ops.Select(o => ((double)r.Operations.GetValueOrDefault(o) / r.Sites).ToString("0.00", c))) + " |");
        }

        Console.WriteLine();
        Console.WriteLine("Rows in the store per site after the rollout:");
        Console.WriteLine();
        var tables = results.SelectMany(r => r.Rows.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        Console.WriteLine("| sites | maxParallelSites | " + string.Join(" | ", tables) + " |");
        Console.WriteLine("| --- | --- | " + string.Join(" | ", tables.Select(_ => "---")) + " |");
        foreach (var r in results)
        {
            Console.WriteLine(string.Create(c, $"| {r.Sites} | {r.Parallel} | ") + string.Join(" | ", tables.Select(t => ((double)r.Rows.GetValueOrDefault(t) / r.Sites).ToString("0.00", c))) + " |");
        }
    }

    /// <summary>The child: one rollout of <paramref name="siteCount"/> sites with <paramref name="parallel"/> at a time; prints its result as one JSON line.</summary>
    public static async Task<int> RunOneAsync(int siteCount, int parallel, int seed)
    {
        var dir = Directory.CreateTempSubdirectory("mship-bench-rollout-");
        try
        {
            var draws = Draws(siteCount, seed);
            var repository = Repository(Path.Combine(dir.FullName, "sites"), draws.Keys.ToList(), parallel);
            var clock = new SimulatedClock();
            var standIn = new DeployStandIn(clock, draws);
            var app = ServerHost.Build(new Dictionary<string, string?>
            {
                ["Mothership:Database"] = "sqlite:" + Path.Combine(dir.FullName, "m.db"),
                ["Mothership:Urls"] = "http://127.0.0.1:0",
                ["Mothership:Workdir"] = Path.Combine(dir.FullName, "runs"),
                ["Mothership:Cloud:Repository"] = repository,
                ["Mothership:Cloud:DriftInterval"] = "0",
                // The clock jumps by up to a deploy's length while runs are leased: leases longer than any jump.
                ["Mothership:LeaseDuration"] = "24h",
                // A deploy's end is noticed by the deploy reconciler's poll: 250 ms instead of 1 s keeps the benchmark's real time
                // down (in simulated time either is noise next to 20-minute deploys); the polls' CPU is in the figures.
                ["Mothership:PollInterval"] = "250ms",
                // The deploys run elsewhere (stand-ins here, pods of the sites' clusters in production): the server's own
                // limits on runs and TaskRuns at once would otherwise cap maxParallelSites.
                ["Mothership:MaxActiveRuns"] = (parallel + 16).ToString(CultureInfo.InvariantCulture),
                ["Mothership:MaxConcurrentTaskRuns"] = (parallel + 16).ToString(CultureInfo.InvariantCulture),
            }, s =>
            {
                s.AddSingleton<TimeProvider>(clock);
                s.AddSingleton(new RoutingExecutor(standIn, ExecutorRoute.Local, _ => standIn));
            });
            using var stop = new CancellationTokenSource();
            var server = ServerHost.RunAsync(app, TimeSpan.FromSeconds(30), null, stop.Token);
            var store = app.Services.GetRequiredService<IRunStore>();
            var metrics = app.Services.GetRequiredService<ServerMetrics>();
            while (true)
            {
                try
                {
                    await store.ListRolloutsAsync(1, CancellationToken.None);
                    break;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    await Task.Delay(50);
                }
            }

            using var process = Process.GetCurrentProcess();
            var peakHeap = 0L;
            var peakSet = 0L;
            using var sampler = new Timer(_ =>
            {
                process.Refresh();
                peakSet = Math.Max(peakSet, process.WorkingSet64);
                peakHeap = Math.Max(peakHeap, GC.GetGCMemoryInfo().HeapSizeBytes);
            }, null, 0, 100);
            var before = Operations(metrics);
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            var real = Stopwatch.StartNew();
            var started = await app.Services.GetRequiredService<RolloutService>().StartAsync("prod", null, "bench", CancellationToken.None);
            if (started.Rollout is not { } rollout)
            {
                Console.Error.WriteLine($"the rollout did not start: {started.Status} {started.Message}");
                return 1;
            }

            var begin = rollout.CreatedAt;
            var (done, jumps) = await DriveAsync(store, metrics, standIn, clock, rollout.Name);
            real.Stop();
            process.Refresh();
            var cpu = process.TotalProcessorTime - cpuBefore;
            var after = Operations(metrics);
            var state = RolloutDocument.Parse(done.Document).State;
            await stop.CancelAsync();
            await server.ContinueWith(_ => { }, TaskScheduler.Default);
            process.Refresh();
            var result = new Result(
                siteCount, parallel, done.Status, state.Count(SiteRolloutState.Succeeded), state.Count(SiteRolloutState.Failed),
                TimeSpan.FromTicks(draws.Values.Sum(d => d.Duration.Ticks)).TotalHours, (done.UpdatedAt - begin).TotalHours, real.Elapsed.TotalSeconds,
                cpu.TotalSeconds, Math.Max(peakSet, process.PeakWorkingSet64) / 1048576.0, peakHeap / 1048576.0,
                after.ToDictionary(o => o.Key, o => o.Value - before.GetValueOrDefault(o.Key)).Where(o => o.Value > 0).ToDictionary(),
                Rows(Path.Combine(dir.FullName, "m.db")),
                Directory.EnumerateFiles(dir.FullName, "m.db*").Sum(f => new FileInfo(f).Length), jumps, Encoding.UTF8.GetByteCount(done.Document));
            Console.WriteLine(JsonSerializer.Serialize(result));
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try
            {
                dir.Delete(recursive: true);
            }
            catch (IOException)
            {
                // The OS cleans temp.
            }
        }
    }

    /// <summary>
    /// Watches the server and moves the clock: when the rollout's version and the stand-ins have
    /// stood still for two looks and every deploying site has its TaskRun waiting on the clock,
    /// nothing more happens until a deploy ends, so the clock jumps to the next end.
    /// </summary>
    private static async Task<(RolloutRecord Done, int Jumps)> DriveAsync(IRunStore store, ServerMetrics metrics, DeployStandIn standIn, SimulatedClock clock, string name)
    {
        var jumps = 0;
        var stable = 0;
        var activity = -1L;
        var updates = -1L;
        var deploying = 0;
        var idle = Stopwatch.StartNew();
        while (true)
        {
            await Task.Delay(5);
            // The server's own count of rollout writes says when to read the rollout again, so the
            // benchmark reads it once per change rather than once per look.
            var (nowActivity, nowUpdates) = (standIn.Activity, metrics.StoreLatency.WithLabels("update_rollout").Count);
            if (nowUpdates != updates)
            {
                var rollout = (await store.GetRolloutAsync(name, CancellationToken.None))!;
                if (!rollout.Active)
                {
                    return (rollout, jumps);
                }

                deploying = RolloutDocument.Parse(rollout.Document).State.Count(SiteRolloutState.Deploying);
            }

            if (nowActivity != activity || nowUpdates != updates)
            {
                (activity, updates) = (nowActivity, nowUpdates);
                stable = 0;
                idle.Restart();
                continue;
            }

            if (deploying > 0 && standIn.Waiting == deploying && ++stable >= 2 && standIn.NextEnd is { } next)
            {
                clock.JumpTo(next);
                standIn.EndDue();
                jumps++;
                stable = 0;
            }
            else if (idle.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new InvalidOperationException($"rollout {name} stands still: {deploying} sites deploying, {standIn.Waiting} TaskRuns waiting");
            }
        }
    }

    private static Dictionary<string, long> Operations(ServerMetrics metrics) =>
        metrics.StoreLatency.GetAllLabelValues().ToDictionary(l => l[0], l => metrics.StoreLatency.WithLabels(l).Count, StringComparer.Ordinal);

    private static Dictionary<string, long> Rows(string database)
    {
        using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        var rows = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in new[] { "runs", "run_labels", "journal", "events", "logs", "audit", "site_deploys", "sites", "site_services", "rollouts", "rollout_events" })
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT count(*) FROM {table}";
            rows[table] = (long)command.ExecuteScalar()!;
        }

        return rows;
    }

    /// <summary>The same draws as the decider-only benchmark: per site a lognormal deploy time and whether it fails.</summary>
    private static Dictionary<string, (TimeSpan Duration, bool Fails)> Draws(int siteCount, int seed)
    {
        var random = new Random(seed);
        var draws = new Dictionary<string, (TimeSpan, bool)>(StringComparer.Ordinal);
        for (var i = 0; i < siteCount; i++)
        {
            var z = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            var minutes = Math.Max(3, 20 * Math.Exp(0.5 * z));
            draws[$"{Regions[i % Regions.Length]}-{i / Regions.Length:0000}"] = (TimeSpan.FromMinutes(Math.Round(minutes, 2)), random.NextDouble() < 0.02);
        }

        return draws;
    }

    /// <summary>A git site repository: three path charts, prod's rollout policy (one wave, a 5 % failure budget), one site.yaml per site.</summary>
    private static string Repository(string root, List<string> sites, int parallel)
    {
        void Write(string path, string text)
        {
            var full = Path.Combine(root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text);
        }

        void Chart(string name, string[] needs, params (string Type, string Host)[] endpoints)
        {
            Write($"charts/{name}/Chart.yaml", $"apiVersion: v2\nname: {name}\nversion: 0.1.0\n");
            Write($"charts/{name}/values.yaml",
                "dependencies:\n  static:\n    api:\n      services:\n" + string.Concat(needs.Select(n => $"        - {{endpoint: internal, service: {n}}}\n")) +
                "endpoints:\n" + string.Concat(endpoints.Select(e => $"  {e.Type}:\n    hosts:\n      default: {e.Host}\n")));
            Write($"charts/{name}/templates/deployment.yaml", $"# {name}\n");
        }

        Chart("db", [], ("oslo_db", "db"));
        Chart("ident", ["oslo_db"], ("oslo_db", "db"), ("identity", "ident-api"));
        Chart("image", ["oslo_db", "identity"], ("oslo_db", "db"), ("identity", "ident-api"), ("image", "image-api"));
        // Each service's timeout (its task's: twice this and 5 min) above the longest drawn share of a deploy.
        Write("cloud.yaml", $"""
            apiVersion: mothership.io/v1
            kind: Cloud
            metadata: {"{"}name: bench{"}"}
            spec:
              services:
                - {"{"}name: db, chart: {"{"}path: charts/db{"}"}, timeout: 60m{"}"}
                - {"{"}name: ident, chart: {"{"}path: charts/ident{"}"}, timeout: 60m{"}"}
                - {"{"}name: image, chart: {"{"}path: charts/image{"}"}, timeout: 60m{"}"}
              promotion:
                environments:
                  - {"{"}name: dev{"}"}
                  - name: prod
                    rollout:
                      maxParallelSites: {parallel}
                      failureBudget: 5%

            """);
        foreach (var site in sites)
        {
            Write($"sites/{site}/site.yaml", $"apiVersion: mothership.io/v1\nkind: Site\nmetadata: {{name: {site}}}\nspec:\n  environment: prod\n  region: {site[..3]}\n"
                + $"  cluster: {{context: {site}, namespace: openstack}}\n  services: [db, ident, image]\n");
        }

        Git(root, "init", "-q", "-b", "main");
        Git(root, "add", "-A");
        Git(root, "-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-q", "-m", "prod rolls out");
        return root;
    }

    private static void Git(string dir, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = dir, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var git = Process.Start(start)!;
        var error = git.StandardError.ReadToEnd();
        git.WaitForExit();
        if (git.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', args)}: {error}");
        }
    }

    /// <summary>The system clock plus an offset that only grows; its timers are the system's, so the server's polls and waits run in real time.</summary>
    private sealed class SimulatedClock : TimeProvider
    {
        private long _offsetTicks;

        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

        /// <summary>Moves the clock to <paramref name="at"/> when that is ahead.</summary>
        public void JumpTo(DateTimeOffset at)
        {
            var ahead = at - GetUtcNow();
            if (ahead > TimeSpan.Zero)
            {
                Interlocked.Add(ref _offsetTicks, ahead.Ticks);
            }
        }
    }

    /// <summary>
    /// Stands in for the pods that would deploy a site's services: a service's TaskRun reports its
    /// first step running, waits until the clock reaches its end (a third of the site's drawn
    /// deploy time), then reports every step finished with a line of log; the last service of a
    /// site drawn to fail fails. Other TaskRuns (the deploy's summary) end at once.
    /// </summary>
    private sealed class DeployStandIn(SimulatedClock clock, Dictionary<string, (TimeSpan Duration, bool Fails)> draws) : ITaskExecutor
    {
        private readonly Lock _gate = new();
        private readonly PriorityQueue<TaskCompletionSource, DateTimeOffset> _ends = new();
        private long _activity;

        /// <summary>Changes whenever a TaskRun starts or ends.</summary>
        public long Activity => Interlocked.Read(ref _activity);

        public int Waiting
        {
            get
            {
                lock (_gate)
                {
                    return _ends.Count;
                }
            }
        }

        public DateTimeOffset? NextEnd
        {
            get
            {
                lock (_gate)
                {
                    return _ends.TryPeek(out _, out var at) ? at : null;
                }
            }
        }

        /// <summary>Ends every TaskRun whose end the clock has reached.</summary>
        public void EndDue()
        {
            var now = clock.GetUtcNow();
            var due = new List<TaskCompletionSource>();
            lock (_gate)
            {
                while (_ends.TryPeek(out var end, out var at) && at <= now)
                {
                    _ends.Dequeue();
                    due.Add(end);
                }
            }

            foreach (var end in due)
            {
                end.TrySetResult();
            }
        }

        public async Task<TaskRunOutcome> RunAsync(TaskRunRequest request, ITaskRunListener listener, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _activity);
            var start = clock.GetUtcNow();
            var steps = request.Spec.Steps.Select(s => new StepState { Name = s.Name, Container = "step-" + s.Name, Image = s.Image }).ToList();
            var site = request.Labels.GetValueOrDefault(MothershipLabels.Site) ?? "";
            var service = Array.IndexOf(Services, request.PipelineTaskName);
            var fails = false;
            if (service >= 0 && draws.TryGetValue(site, out var draw))
            {
                fails = draw.Fails && service == Services.Length - 1;
                if (steps.Count > 0)
                {
                    steps[0] = steps[0] with { StartedAt = start };
                    listener.OnStep(request, steps[0]);
                }

                var end = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                lock (_gate)
                {
                    _ends.Enqueue(end, start + (draw.Duration / Services.Length));
                }

                await using (cancellationToken.Register(() => end.TrySetCanceled(cancellationToken)))
                {
                    try
                    {
                        await end.Task.ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        Interlocked.Increment(ref _activity);
                        return new TaskRunOutcome { Phase = TaskRunPhase.Cancelled, Message = "cancelled", StartTime = start, CompletionTime = clock.GetUtcNow() };
                    }
                }
            }

            var finished = clock.GetUtcNow();
            for (var i = 0; i < steps.Count; i++)
            {
                var failed = fails && i == steps.Count - 1;
                steps[i] = steps[i] with
                {
                    StartedAt = steps[i].StartedAt ?? finished, FinishedAt = finished, ExitCode = failed ? 1 : 0,
                    Reason = failed ? "Error" : "Completed", TerminationReason = failed ? "Error" : "Completed",
                };
                listener.OnLog(request, steps[i].Container, $"{steps[i].Name} of {request.PipelineTaskName} on {site}: {(failed ? "failed (simulated)" : "done")}");
                listener.OnStep(request, steps[i]);
            }

            Interlocked.Increment(ref _activity);
            return new TaskRunOutcome
            {
                Phase = fails ? TaskRunPhase.Failed : TaskRunPhase.Succeeded,
                Message = fails ? $"\"{steps[^1].Container}\" exited with code 1" : "",
                StartTime = start,
                CompletionTime = finished,
                Steps = [.. steps],
            };
        }
    }
}
