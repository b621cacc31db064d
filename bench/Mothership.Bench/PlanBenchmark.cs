using System.Collections.Immutable;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Mothership.Engine.Resolution;
using Mothership.Engine.Scheduling;
using Mothership.Model.Diagnostics;
using Mothership.Model.Graph;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;
using Mothership.Model.Validation;
using Mothership.Testing;

namespace Mothership.Bench;

/// <summary>
/// Times what <c>mship run</c> does before the first TaskRun starts, on a large DAG held in
/// memory: load, validate, then plan (graph, params, initial state, first scheduling decision).
/// </summary>
internal static class PlanBenchmark
{
    /// <summary>MiB allocated by each phase in the last iteration.</summary>
    private static readonly Dictionary<string, double> Allocations = [];

    /// <summary>Process CPU milliseconds (all threads, the GC's included) of each phase, per iteration.</summary>
    private static readonly Dictionary<string, List<double>> Cpu = [];

    /// <summary>GC pause milliseconds of each phase, per iteration.</summary>
    private static readonly Dictionary<string, List<double>> Pause = [];

    private static readonly string[] Phases = ["yaml-only", "load", "validate", "graph", "params", "start", "next", "total"];

    public static int Run(int tasks, int layers, int iterations)
    {
        var yaml = LayeredDag.Yaml(tasks, layers);
        Console.WriteLine($"plan: {tasks} tasks in {layers} layers, {yaml.Length / 1024} KiB of YAML, {iterations} timed iterations after 1 warm-up, "
            + (YamlTree.ScannerEnabled ? "YAML read by BlockYamlScanner (YamlDotNet for what it declines)" : "YAML read through YamlDotNet's parser events (--reader events)"));

        var gc = GC.GetConfigurationVariables();
        Console.WriteLine($"GC: {(gc.TryGetValue("ServerGC", out var server) && server is true ? "server" : "workstation")}, "
            + $"{(gc.TryGetValue("ConcurrentGC", out var background) && background is true ? "background" : "no background GC")}, "
            + $"gen0 budget up to {Mothership.Server.Hosting.ServerGc.Gen0MaxBudget / (1024.0 * 1024):F0} MiB "
            + $"({Mothership.Server.Hosting.ServerGc.Variable}={Environment.GetEnvironmentVariable(Mothership.Server.Hosting.ServerGc.Variable) ?? "unset"}: the server's unless set before, ServerGc)");

        // Warm-up on a small DAG so JIT and static initialisation are not billed to the first iteration.
        Once(LayeredDag.Yaml(50, 5), out _);
        Cpu.Clear();
        Pause.Clear();

        var samples = Phases.ToDictionary(p => p, _ => new List<double>());
        var allocated = new List<long>();
        var firstActions = 0;
        // What a GC defers past the timed phases (a larger gen0 budget promotes the load's tree
        // later, once) is paid by the full collection after each iteration: timed, and printed beside.
        var collectAfter = new List<double>();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var gcBefore = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        for (var n = 0; n < iterations; n++)
        {
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var times = Once(yaml, out firstActions);
            allocated.Add(GC.GetTotalAllocatedBytes(precise: true) - before);
            foreach (var (phase, ms) in times)
            {
                samples[phase].Add(ms);
            }

            var collecting = Stopwatch.StartNew();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            collectAfter.Add(collecting.Elapsed.TotalMilliseconds);
        }

        Console.WriteLine($"first decision: {firstActions} tasks to start");
        Console.WriteLine($"GCs per iteration (gen0/1/2, the benchmark's own GC.Collect included): {(GC.CollectionCount(0) - gcBefore.Item1) / (double)iterations:F1}/{(GC.CollectionCount(1) - gcBefore.Item2) / (double)iterations:F1}/{(GC.CollectionCount(2) - gcBefore.Item3) / (double)iterations:F1}");
        Console.WriteLine($"{"phase",-10} {"min ms",10} {"median ms",10} {"min CPU ms",10} {"GC pause ms",11} {"alloc MiB",10}");
        foreach (var phase in Phases)
        {
            var s = samples[phase].Order().ToList();
            var cpu = Cpu[phase].Min();
            var pause = Median([.. Pause[phase].Order()]);
            var alloc = Allocations.TryGetValue(phase, out var mb) ? $"{mb,10:F1}" : "";
            Console.WriteLine($"{phase,-10} {s[0],10:F1} {Median(s),10:F1} {cpu,10:F1} {pause,11:F1} {alloc}");
        }

        using var self = Process.GetCurrentProcess();
        self.Refresh();
        var peakMb = self.PeakWorkingSet64 / 1024.0 / 1024.0;
        var allocMb = allocated.Order().ToList() is var a ? Median(a.Select(x => (double)x).ToList()) / 1024 / 1024 : 0;
        Console.WriteLine($"peak working set (process, after all iterations): {peakMb:F0} MB");
        Console.WriteLine($"GC allocated per iteration (median): {allocMb:F0} MB");
        Console.WriteLine($"full collection after each iteration (untimed above; what the GC left for later): median {Median([.. collectAfter.Order()]):F1} ms, max {collectAfter.Max():F1} ms");
        var total = Median([.. samples["total"].Order()]);
        Console.WriteLine($"targets: total < 200 ms -> {(total < 200 ? "met" : "NOT met")} ({total / 200:F2}x); peak < 300 MB -> {(peakMb < 300 ? "met" : "NOT met")} ({peakMb / 300:F2}x)");
        Profile();
        Curve(layers, iterations);
        if (YamlTree.ScannerEnabled)
        {
            // The native binary reads with the scanner whatever --reader says: once is enough.
            Cold(yaml, tasks, iterations);
            Manifest();
        }

        return 0;
    }

    /// <summary>
    /// A one-task run's manifest as the server stores it (the PipelineRun as the API's client posted
    /// it, JSON, then the Pipeline it froze) loaded as the server loads it at the run's start, with
    /// the scanner and then through YamlDotNet's events alone, alternated in rounds: a JSON document
    /// used to send the whole text to YamlDotNet.
    /// </summary>
    private static void Manifest()
    {
        // As the server stores a run of the throughput benchmark: the body its client posted, then the Pipeline frozen with it.
        var manifest = ThroughputBenchmark.Body(0) + "\n---\n" + ThroughputBenchmark.Pipeline(0);
        const int loads = 20_000;
        var figures = new Dictionary<bool, List<(double Us, long Bytes)>> { [true] = [], [false] = [] };
        for (var round = 0; round < 4; round++)
        {
            foreach (var scanner in (bool[])[true, false])
            {
                YamlTree.ScannerEnabled = scanner;
                var allocated = GC.GetAllocatedBytesForCurrentThread();
                var sw = Stopwatch.StartNew();
                for (var i = 0; i < loads; i++)
                {
                    _ = ResourceLoader.Load("manifest", manifest, new DiagnosticBag());
                }

                // The first round warms both readers up.
                if (round > 0)
                {
                    figures[scanner].Add((sw.Elapsed.TotalMicroseconds / loads, (GC.GetAllocatedBytesForCurrentThread() - allocated) / loads));
                }
            }
        }

        YamlTree.ScannerEnabled = true;
        string Line(bool scanner) => $"{Median([.. figures[scanner].Select(f => f.Us).Order()]):F1} µs and {figures[scanner][^1].Bytes:N0} B a load";
        Console.WriteLine($"manifest: a one-task run's stored manifest (a JSON PipelineRun, then its Pipeline), {loads:N0} loads × 3 rounds: "
            + $"scanner {Line(true)}; YamlDotNet's events {Line(false)}");
    }

    /// <summary>
    /// What a user waits for: <c>mship validate</c> of the same file (load and validate, no plan),
    /// a fresh native process each time, alternated with a one-task file (the start-up alone).
    /// The phases above run in this process, warm: its heap was faulted in by the iterations before,
    /// and the JIT's code is tiered. A fresh process touches every page of its heap for the first
    /// time, which on some machines is most of the cost (bench/RESULTS.md).
    /// </summary>
    private static void Cold(string yaml, int tasks, int runs)
    {
        if (!File.Exists(MshipProcess.Binary))
        {
            Console.WriteLine($"cold: skipped, {MshipProcess.Binary} is missing (./mship --version builds it)");
            return;
        }

        var dir = Directory.CreateTempSubdirectory("mship-plan-");
        try
        {
            var large = Path.Combine(dir.FullName, "dag.yaml");
            var one = Path.Combine(dir.FullName, "one.yaml");
            File.WriteAllText(large, yaml);
            File.WriteAllText(one, LayeredDag.Yaml(1, 1));
            var (largeWall, largeCpu, oneWall) = (new List<double>(), new List<double>(), new List<double>());
            for (var r = -1; r < runs; r++)
            {
                var (w, c) = MshipTimer.RunAsync("validate", "-f", large).GetAwaiter().GetResult();
                var (w1, _) = MshipTimer.RunAsync("validate", "-f", one).GetAwaiter().GetResult();
                if (r >= 0)
                {
                    largeWall.Add(w * 1000);
                    largeCpu.Add(c * 1000);
                    oneWall.Add(w1 * 1000);
                }
            }

            largeWall.Sort();
            largeCpu.Sort();
            oneWall.Sort();
            Console.WriteLine($"cold: `mship validate -f` of the {tasks}-task file, a fresh native process each, {runs} runs after 1 warm-up: "
                + $"min {largeWall[0]:F0} ms, median {Median(largeWall):F0} ms, CPU median {Median(largeCpu):F0} ms; a one-task file alternated with it: median {Median(oneWall):F1} ms");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Cost per task of load + validate + plan at 100, 1,000 and 10,000 tasks (flat is the goal):
    /// wall and process CPU time (min of the iterations, the machine being shared) and bytes allocated.
    /// </summary>
    private static void Curve(int layers, int iterations)
    {
        Console.WriteLine($"curve: per task, load + validate + plan, {layers} layers, min of {iterations * 10} runs at 100 and 1,000 tasks, of {iterations} at 10,000");
        Console.WriteLine($"{"tasks",8} {"total ms",10} {"CPU ms",10} {"µs/task",10} {"CPU µs/task",12} {"alloc KiB/task",15}");
        foreach (var n in new[] { 100, 1000, 10_000 })
        {
            var yaml = LayeredDag.Yaml(n, layers);
            var runs = n < 10_000 ? iterations * 10 : iterations;
            var wall = double.MaxValue;
            var cpu = double.MaxValue;
            var bytes = long.MaxValue;
            for (var r = 0; r < runs; r++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var before = GC.GetTotalAllocatedBytes(precise: true);
                var cpuBefore = Environment.CpuUsage.TotalTime;
                var sw = Stopwatch.StartNew();
                Once(yaml, out _, parseAlone: false);
                wall = Math.Min(wall, sw.Elapsed.TotalMilliseconds);
                cpu = Math.Min(cpu, (Environment.CpuUsage.TotalTime - cpuBefore).TotalMilliseconds);
                bytes = Math.Min(bytes, GC.GetTotalAllocatedBytes(precise: true) - before);
            }

            Console.WriteLine($"{n,8} {wall,10:F1} {cpu,10:F1} {wall * 1000 / n,10:F1} {cpu * 1000 / n,12:F1} {bytes / 1024.0 / n,15:F2}");
        }
    }

    /// <summary>How the scheduler's first decision grows with the task count (linear is the goal).</summary>
    private static void Profile()
    {
        var sw = Stopwatch.StartNew();
        foreach (var n in new[] { 1000, 2000, 4000 })
        {
            var small = StateOf(LayeredDag.Yaml(n, 10));
            var now = TimeProvider.System.GetUtcNow();
            PipelineRunScheduler.Next(small, now);
            sw.Restart();
            PipelineRunScheduler.Next(small, now);
            Console.WriteLine($"profile: Next on {n,5} tasks ({n / 10} to start): {sw.Elapsed.TotalMilliseconds,8:F1} ms");
        }
    }

    private static PipelineRunState StateOf(string yaml)
    {
        var set = new ResourceSet { All = [.. ResourceLoader.Load("dag.yaml", yaml, new DiagnosticBag())] };
        var run = set.All.OfType<PipelineRun>().Single();
        var spec = set.FindPipeline(run.Spec.PipelineRef!.Name!)!.Spec;
        return PipelineRunScheduler.Start(run, spec, PipelineParams.Resolve(spec, run.Spec.Params, run.DisplayName), set, "bench-uid",
            TimeProvider.System.GetUtcNow());
    }

    private static List<(string Phase, double Ms)> Once(string yaml, out int firstActions, bool parseAlone = true)
    {
        var times = new List<(string, double)>();
        var sw = Stopwatch.StartNew();
        var all = Stopwatch.StartNew();
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var cpuBefore = Environment.CpuUsage.TotalTime;
        var cpuAll = cpuBefore;
        var pauseBefore = GC.GetTotalPauseDuration();
        double Lap(string phase)
        {
            var ms = sw.Elapsed.TotalMilliseconds;
            times.Add((phase, ms));
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            Allocations[phase] = (allocated - allocatedBefore) / 1024.0 / 1024.0;
            allocatedBefore = allocated;
            var cpu = Environment.CpuUsage.TotalTime;
            CollectionsMarshal.GetValueRefOrAddDefault(Cpu, phase, out _) ??= [];
            Cpu[phase].Add((cpu - cpuBefore).TotalMilliseconds);
            cpuBefore = cpu;
            var pause = GC.GetTotalPauseDuration();
            CollectionsMarshal.GetValueRefOrAddDefault(Pause, phase, out _) ??= [];
            Pause[phase].Add((pause - pauseBefore).TotalMilliseconds);
            pauseBefore = pause;
            sw.Restart();
            return ms;
        }

        // YamlDotNet's parse alone, for reference: not part of the total.
        if (parseAlone)
        {
            new YamlDotNet.RepresentationModel.YamlStream().Load(new StringReader(yaml));
        }

        Lap("yaml-only");

        // Its garbage must not be billed to the phases measured next.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        cpuBefore = Environment.CpuUsage.TotalTime;
        pauseBefore = GC.GetTotalPauseDuration();
        sw.Restart();
        all.Restart();
        cpuAll = Environment.CpuUsage.TotalTime;
        var pauseAll = GC.GetTotalPauseDuration();
        var allocAll = GC.GetAllocatedBytesForCurrentThread();
        var bag = new DiagnosticBag();
        var set = new ResourceSet { All = [.. ResourceLoader.Load("dag.yaml", yaml, bag)] };
        Lap("load");
        ResourceValidator.Validate(set, bag);
        Lap("validate");
        if (bag.HasErrors)
        {
            throw new InvalidOperationException("the generated DAG is invalid: " + string.Join("; ", bag.Sorted().Take(5)));
        }

        var run = set.All.OfType<PipelineRun>().Single();
        var spec = set.FindPipeline(run.Spec.PipelineRef!.Name!)!.Spec;
        var graph = PipelineGraph.Build(spec.Tasks);
        Lap("graph");
        if (graph.Cycle is not null)
        {
            throw new InvalidOperationException("the generated DAG has a cycle");
        }

        var parameters = PipelineParams.Resolve(spec, run.Spec.Params, run.DisplayName);
        Lap("params");
        var now = TimeProvider.System.GetUtcNow();
        var state = PipelineRunScheduler.Start(run, spec, parameters, set, "bench-uid", now, graph);
        Lap("start");
        var decision = PipelineRunScheduler.Next(state, now);
        Lap("next");
        firstActions = decision.Actions.Length;
        times.Add(("total", all.Elapsed.TotalMilliseconds));
        CollectionsMarshal.GetValueRefOrAddDefault(Cpu, "total", out _) ??= [];
        Cpu["total"].Add((Environment.CpuUsage.TotalTime - cpuAll).TotalMilliseconds);
        CollectionsMarshal.GetValueRefOrAddDefault(Pause, "total", out _) ??= [];
        Pause["total"].Add((GC.GetTotalPauseDuration() - pauseAll).TotalMilliseconds);
        Allocations["total"] = (GC.GetAllocatedBytesForCurrentThread() - allocAll) / 1024.0 / 1024.0;
        return times;
    }

    private static double Median(List<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}
