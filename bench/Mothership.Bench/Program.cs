namespace Mothership.Bench;

/// <summary>
/// <c>dotnet run -c Release --project bench/Mothership.Bench -- plan [--tasks N] [--layers L] [--iterations I]</c>:
/// times load, validation and planning of an N-task layered DAG (defaults 10000, 10, 7), then the
/// cost per task at 100, 1,000 and 10,000 tasks; <c>--reader events</c> loads through YamlDotNet's
/// parser events alone (the reader before BlockYamlScanner), for an A/B in one sitting; it ends
/// with a run manifest's load (JSON and YAML) by both readers.
/// <c>… -- store [--runs N] [--iterations I] [--db sqlite|postgres|both]</c>: times the run store
/// (defaults 100000, 200, both).
/// <c>… -- dashboard [--runs N] [--iterations I] [--log-mb M]</c>: times what the dashboard asks
/// the server for, with N stored runs and an M MB log (defaults 10000, 200, 50).
/// <c>… -- server [--tasks 500,2000,10000] [--layers L] [--parallel P] [--minutes M] [--no-local] [--viewers K] [--warm-up W] [--lines N]</c>: an N-task
/// no-op DAG through a <c>mship server</c> host against <c>mship run</c> of the same file, and
/// <c>GET …/graph</c> during and after the run, with K clients following the run's changes (defaults 10
/// layers, parallelism 4, 10 minutes per run at most, no viewers).
/// <c>… -- graph [--tasks 100,1000,10000] [--iterations I]</c>: the run graph of an N-task DAG in
/// process: its shape, the graph before the run and of a finished run object (default 7 iterations).
/// <c>… -- cloud [--sites N] [--services S] [--iterations I] [--charts DIR] [--batch-only]</c>: times planning N
/// sites of S OpenStack-Helm services, from the working tree and between two git revisions, and
/// compares the compute kit's sequential install time with the plan's (defaults 1000, 30, 5).
/// <c>… -- kubernetes [--taskruns N] [--qps Q]</c>: N TaskRuns at once on the Kubernetes executor
/// against the tests' fake API server: API calls per TaskRun, time, memory (defaults 1000, 50).
/// <c>… -- webhooks [--deliveries N] [--samples S] [--db sqlite|postgres|both] [--payload FILE]</c>: the CI
/// bot's intake on a real <c>mship server</c> with the tests' fake GitHub: signed pull_request
/// deliveries one at a time against the server's floor, bursts of 100 and N (16 in flight, 10 %
/// sent twice: exactly one run each), GitHub calls per delivery (defaults 1000, 200, both, the
/// fixtures' opened.payload.json).
/// <c>… -- tide [--prs N] [--syncs S]</c>: the merge pool's sync over N open pull requests in one
/// repository (the fake GitHub, a SQLite store): time and GitHub calls per sync (defaults 200, 3).
/// <c>… -- release-notes [--prs N] [--iterations I]</c>: release notes of the last 100 and the last N
/// merged pull requests of a generated git repository, read from the fake GitHub and from a SQLite
/// store (defaults 1000, 3).
/// <c>… -- rollout [--sites N] [--seed S]</c>: N sites in 5 regions rolled out through the rollout
/// decider in simulated time, per policy: makespan, transitions (store writes) per site, the
/// decider's CPU time (defaults 1000, 18).
/// <c>… -- rollout --server [--sizes 200,1000] [--parallel 1,10,100] [--seed S]</c>: the same rollouts
/// through the real server (in-process, deploy stand-ins on a simulated clock): makespan, server
/// CPU and memory, store writes per site, per size and maxParallelSites.
/// <c>… -- throughput [--runs N] [--paced M] [--rate R] [--queued Q] [--pipelines P] [--clients C] [--cli-samples S] [--db sqlite|postgres|both]</c>:
/// N one-task PipelineRuns created through the API of a real <c>mship server</c> at once, against
/// <c>mship run</c> of the same work; then Q queued across P pipelines: memory and each pipeline's
/// wait (defaults 1000, 10000, 5, 32, 20, both).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "store")
        {
            return Store(args);
        }

        if (args.Length > 0 && args[0] == "dashboard")
        {
            return Dashboard(args);
        }

        if (args.Length > 0 && args[0] == "graph")
        {
            return Graph(args);
        }

        if (args.Length > 0 && args[0] == "server")
        {
            return Server(args);
        }

        if (args.Length > 0 && args[0] == "cloud")
        {
            return Cloud(args);
        }

        if (args.Length > 0 && args[0] == "webhooks")
        {
            return Webhooks(args);
        }

        if (args.Length > 0 && args[0] == "tide")
        {
            return Tide(args);
        }

        if (args.Length > 0 && args[0] == "rollout")
        {
            return Rollout(args);
        }

        if (args.Length > 0 && args[0] == "throughput")
        {
            return Throughput(args);
        }

        if (args.Length > 0 && args[0] == "release-notes")
        {
            return ReleaseNotes(args);
        }

        if (args is [KubernetesBenchmark.FakeApiMode])
        {
            return KubernetesBenchmark.ServeFakeApi();
        }

        if (args.Length > 0 && args[0] == "kubernetes")
        {
            var taskRuns = 1000;
            var qps = 50;
            for (var i = 1; i < args.Length; i++)
            {
                var ok = i + 1 < args.Length && int.TryParse(args[i + 1], out var v) && v > 0;
                switch (args[i])
                {
                    case "--taskruns" when ok: taskRuns = int.Parse(args[++i]); break;
                    case "--qps" when ok: qps = int.Parse(args[++i]); break;
                    default: return Usage();
                }
            }

            return KubernetesBenchmark.Run(taskRuns, qps);
        }

        if (args.Length == 0 || args[0] != "plan")
        {
            return Usage();
        }

        var tasks = 10_000;
        var layers = 10;
        var iterations = 7;
        for (var i = 1; i < args.Length; i++)
        {
            var ok = i + 1 < args.Length && int.TryParse(args[i + 1], out var v) && v > 0;
            switch (args[i])
            {
                case "--tasks" when ok: tasks = int.Parse(args[++i]); break;
                case "--layers" when ok: layers = int.Parse(args[++i]); break;
                case "--iterations" when ok: iterations = int.Parse(args[++i]); break;
                case "--reader" when i + 1 < args.Length && args[i + 1] is "scanner" or "events":
                    Mothership.Model.Loading.YamlTree.ScannerEnabled = args[++i] == "scanner";
                    break;
                default: return Usage();
            }
        }

        // In the GC the server runs with (its gen0 budget comes from the environment: ServerGc).
        Mothership.Server.Hosting.ServerGc.StartAgainIfNeeded("Mothership.Bench plan");
        return PlanBenchmark.Run(tasks, layers, iterations);
    }

    private static int Dashboard(string[] args)
    {
        var runs = 10_000;
        var iterations = 200;
        var megabytes = 50;
        for (var i = 1; i < args.Length; i++)
        {
            var ok = i + 1 < args.Length && int.TryParse(args[i + 1], out var v) && v > 0;
            switch (args[i])
            {
                case "--runs" when ok: runs = int.Parse(args[++i]); break;
                case "--iterations" when ok: iterations = int.Parse(args[++i]); break;
                case "--log-mb" when ok: megabytes = int.Parse(args[++i]); break;
                default: return Usage();
            }
        }

        return DashboardBenchmark.RunAsync(runs, iterations, megabytes).GetAwaiter().GetResult();
    }

    private static int Server(string[] args)
    {
        IReadOnlyList<int> sizes = [500, 2000, 10_000];
        var layers = 10;
        var parallel = 4;
        var minutes = 10;
        var skipLocal = false;
        var viewers = 0;
        var warmUp = 0;
        var lines = 0;
        for (var i = 1; i < args.Length; i++)
        {
            var ok = i + 1 < args.Length && int.TryParse(args[i + 1], out var v) && v > 0;
            switch (args[i])
            {
                case "--tasks" when i + 1 < args.Length: sizes = [.. args[++i].Split(',').Select(int.Parse)]; break;
                case "--warm-up" when ok: warmUp = int.Parse(args[++i]); break;
                case "--lines" when ok: lines = int.Parse(args[++i]); break;
                case "--layers" when ok: layers = int.Parse(args[++i]); break;
                case "--parallel" when ok: parallel = int.Parse(args[++i]); break;
                case "--minutes" when ok: minutes = int.Parse(args[++i]); break;
                case "--no-local": skipLocal = true; break;
                case "--viewers" when ok: viewers = int.Parse(args[++i]); break;
                default: return Usage();
            }
        }

        return WithoutTieredCompilation(args) ?? ServerBenchmark.RunAsync(sizes, layers, parallel, TimeSpan.FromMinutes(minutes), skipLocal, viewers, warmUp, lines).GetAwaiter().GetResult();
    }

    /// <summary>
    /// Runs this benchmark again in a process without tiered compilation, unless the caller set
    /// <c>DOTNET_TieredCompilation</c> (<c>0</c> in the process run again; <c>1</c> for the client
    /// with tiering, as before); its exit code. The client of a server on the same two cores takes
    /// as little of their CPU as it can: with tiering, its background re-compiles took about a
    /// second of CPU during a 5-second 2,000-task server run (bench/RESULTS.md). The server it
    /// starts keeps the default.
    /// </summary>
    /// <summary>This benchmark started again (as the apphost, or as <c>dotnet Mothership.Bench.dll</c> under <c>dotnet run</c>), before its arguments.</summary>
    internal static System.Diagnostics.ProcessStartInfo StartOfThisProgram()
    {
        var program = Mothership.Executors.Local.Processes.ProcessImage.ThisProgram()!;
        var start = new System.Diagnostics.ProcessStartInfo(program[0]) { UseShellExecute = false };
        foreach (var part in program.Skip(1))
        {
            start.ArgumentList.Add(part);
        }

        return start;
    }

    private static int? WithoutTieredCompilation(string[] args)
    {
        if (Environment.GetEnvironmentVariable("DOTNET_TieredCompilation") is "0" or "1")
        {
            return null;
        }

        var start = StartOfThisProgram();
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_TieredCompilation"] = "0";
        using var again = System.Diagnostics.Process.Start(start)!;
        again.WaitForExit();
        return again.ExitCode;
    }

    private static int Graph(string[] args)
    {
        IReadOnlyList<int> sizes = [100, 1000, 10_000];
        var iterations = 7;
        for (var i = 1; i < args.Length; i++)
        {
            var ok = i + 1 < args.Length && int.TryParse(args[i + 1], out var v) && v > 0;
            switch (args[i])
            {
                case "--tasks" when i + 1 < args.Length: sizes = [.. args[++i].Split(',').Select(int.Parse)]; break;
                case "--iterations" when ok: iterations = int.Parse(args[++i]); break;
                default: return Usage();
            }
        }

        return GraphBenchmark.Run(sizes, iterations);
    }

    private static int Cloud(string[] args)
    {
        var sites = 1000;
        var services = 30;
        var iterations = 5;
        string? charts = null;
        var batchOnly = false;
        for (var i = 1; i < args.Length; i++)
        {
            var ok = i + 1 < args.Length && int.TryParse(args[i + 1], out var v) && v > 0;
            switch (args[i])
            {
                case "--batch-only": batchOnly = true; break;
                case "--sites" when ok: sites = int.Parse(args[++i]); break;
                case "--services" when ok: services = int.Parse(args[++i]); break;
                case "--iterations" when ok: iterations = int.Parse(args[++i]); break;
                case "--charts" when i + 1 < args.Length: charts = args[++i]; break;
                default: return Usage();
            }
        }

        return CloudBenchmark.Run(sites, services, iterations, charts, batchOnly);
    }

    private static int Webhooks(string[] args)
    {
        var deliveries = 1000;
        var samples = 200;
        var databases = "both";
        string? payload = null;
        for (var i = 1; i < args.Length; i++)
        {
            var ok = i + 1 < args.Length && int.TryParse(args[i + 1], out var v) && v > 0;
            switch (args[i])
            {
                case "--deliveries" when ok: deliveries = int.Parse(args[++i]); break;
                case "--samples" when ok: samples = int.Parse(args[++i]); break;
                case "--db" when i + 1 < args.Length && args[i + 1] is "sqlite" or "postgres" or "both": databases = args[++i]; break;
                case "--payload" when i + 1 < args.Length: payload = args[++i]; break;
                default: return Usage();
            }
        }

        return WebhooksBenchmark.RunAsync(deliveries, samples, databases, payload).GetAwaiter().GetResult();
    }

    private static int Tide(string[] args)
    {
        var prs = 200;
        var syncs = 3;
        for (var i = 1; i < args.Length; i++)
        {
            var ok = i + 1 < args.Length && int.TryParse(args[i + 1], out var v) && v > 0;
            switch (args[i])
            {
                case "--prs" when ok: prs = int.Parse(args[++i]); break;
                case "--syncs" when ok: syncs = int.Parse(args[++i]); break;
                default: return Usage();
            }
        }

        return MergePoolBenchmark.RunAsync(prs, syncs).GetAwaiter().GetResult();
    }

    private static int ReleaseNotes(string[] args)
    {
        var prs = 1000;
        var iterations = 3;
        for (var i = 1; i < args.Length; i++)
        {
            var ok = i + 1 < args.Length && int.TryParse(args[i + 1], out var v) && v > 0;
            switch (args[i])
            {
                case "--prs" when ok: prs = int.Parse(args[++i]); break;
                case "--iterations" when ok: iterations = int.Parse(args[++i]); break;
                default: return Usage();
            }
        }

        return ReleaseNotesBenchmark.RunAsync(prs, iterations).GetAwaiter().GetResult();
    }

    private static int Throughput(string[] args)
    {
        var runs = 1000;
        var queued = 10_000;
        var pipelines = 5;
        var clients = 32;
        var samples = 20;
        var databases = "both";
        // The goal's rate: 200 runs/s for 15 s.
        var paced = 3000;
        var rate = 200;
        for (var i = 1; i < args.Length; i++)
        {
            var ok = i + 1 < args.Length && int.TryParse(args[i + 1], out var v) && v > 0;
            switch (args[i])
            {
                case "--runs" when ok: runs = int.Parse(args[++i]); break;
                case "--paced" when i + 1 < args.Length && int.TryParse(args[i + 1], out var p) && p >= 0: paced = int.Parse(args[++i]); break;
                case "--rate" when ok: rate = int.Parse(args[++i]); break;
                case "--queued" when ok: queued = int.Parse(args[++i]); break;
                case "--pipelines" when ok && int.Parse(args[i + 1]) >= 2: pipelines = int.Parse(args[++i]); break;
                case "--clients" when ok: clients = int.Parse(args[++i]); break;
                case "--cli-samples" when ok: samples = int.Parse(args[++i]); break;
                case "--db" when i + 1 < args.Length && args[i + 1] is "sqlite" or "postgres" or "both": databases = args[++i]; break;
                default: return Usage();
            }
        }

        return ThroughputBenchmark.RunAsync(runs, queued, pipelines, clients, samples, databases, paced, rate).GetAwaiter().GetResult();
    }

    private static int Store(string[] args)
    {
        var runs = 100_000;
        var iterations = 200;
        var databases = "both";
        for (var i = 1; i < args.Length; i++)
        {
            var ok = i + 1 < args.Length && int.TryParse(args[i + 1], out var v) && v > 0;
            switch (args[i])
            {
                case "--runs" when ok: runs = int.Parse(args[++i]); break;
                case "--iterations" when ok: iterations = int.Parse(args[++i]); break;
                case "--db" when i + 1 < args.Length && args[i + 1] is "sqlite" or "postgres" or "both": databases = args[++i]; break;
                default: return Usage();
            }
        }

        return StoreBenchmark.RunAsync(runs, iterations, databases).GetAwaiter().GetResult();
    }

    private static int Rollout(string[] args)
    {
        if (args.Length > 1 && args[1] is "--server" or RolloutServerBenchmark.ChildMode)
        {
            return RolloutServer(args);
        }

        var sites = 1000;
        var seed = 18;
        for (var i = 1; i < args.Length; i++)
        {
            var ok = i + 1 < args.Length && int.TryParse(args[i + 1], out var v) && v > 0;
            switch (args[i])
            {
                case "--sites" when ok: sites = int.Parse(args[++i]); break;
                case "--seed" when ok: seed = int.Parse(args[++i]); break;
                default: return Usage();
            }
        }

        return RolloutBenchmark.Run(sites, seed);
    }

    private static int RolloutServer(string[] args)
    {
        int[] sizes = [200, 1000];
        int[] parallels = [1, 10, 100];
        var sites = 1000;
        var parallel = 1;
        var seed = 18;
        static int[]? List(string text) => text.Split(',').Select(t => int.TryParse(t, out var v) && v > 0 ? v : 0).ToArray() is var l && l.All(v => v > 0) ? l : null;
        for (var i = 2; i < args.Length; i++)
        {
            var next = i + 1 < args.Length ? args[i + 1] : "";
            var ok = int.TryParse(next, out var v) && v > 0;
            switch (args[i])
            {
                case "--sizes" when List(next) is { } l: sizes = l; i++; break;
                case "--parallel" when args[1] == "--server" && List(next) is { } l: parallels = l; i++; break;
                case "--parallel" when ok: parallel = v; i++; break;
                case "--sites" when ok: sites = v; i++; break;
                case "--seed" when ok: seed = v; i++; break;
                default: return Usage();
            }
        }

        return args[1] == "--server"
            ? RolloutServerBenchmark.Run(sizes, parallels, seed)
            : RolloutServerBenchmark.RunOneAsync(sites, parallel, seed).GetAwaiter().GetResult();
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: Mothership.Bench plan [--tasks N] [--layers L] [--iterations I] [--reader scanner|events]   (each a positive integer)");
        Console.Error.WriteLine("       Mothership.Bench store [--runs N] [--iterations I] [--db sqlite|postgres|both]");
        Console.Error.WriteLine("       Mothership.Bench dashboard [--runs N] [--iterations I] [--log-mb M]");
        Console.Error.WriteLine("       Mothership.Bench server [--tasks 500,2000,10000] [--layers L] [--parallel P] [--minutes M] [--no-local] [--viewers K] [--warm-up W] [--lines N]");
        Console.Error.WriteLine("       Mothership.Bench graph [--tasks 100,1000,10000] [--iterations I]");
        Console.Error.WriteLine("       Mothership.Bench cloud [--sites N] [--services S] [--iterations I] [--charts DIR] [--batch-only]");
        Console.Error.WriteLine("       Mothership.Bench kubernetes [--taskruns N] [--qps Q]");
        Console.Error.WriteLine("       Mothership.Bench webhooks [--deliveries N] [--samples S] [--db sqlite|postgres|both] [--payload FILE]");
        Console.Error.WriteLine("       Mothership.Bench tide [--prs N] [--syncs S]");
        Console.Error.WriteLine("       Mothership.Bench release-notes [--prs N] [--iterations I]");
        Console.Error.WriteLine("       Mothership.Bench rollout [--sites N] [--seed S]");
        Console.Error.WriteLine("       Mothership.Bench rollout --server [--sizes 200,1000] [--parallel 1,10,100] [--seed S]");
        Console.Error.WriteLine("       Mothership.Bench throughput [--runs N] [--paced M (0: none)] [--rate R] [--queued Q] [--pipelines P (at least 2)] [--clients C] [--cli-samples S] [--db sqlite|postgres|both]");
        return 2;
    }
}
