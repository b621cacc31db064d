using System.Collections.Immutable;
using System.Diagnostics;
using Mothership.Engine.Resolution;
using Mothership.Engine.Scheduling;
using Mothership.Model.Diagnostics;
using Mothership.Model.Graph;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;
using Mothership.Model.Validation;

namespace Mothership.Bench;

/// <summary>
/// Times what <c>mship run</c> does before the first TaskRun starts, on a large DAG held in
/// memory: load, validate, then plan (graph, params, initial state, first scheduling decision).
/// </summary>
internal static class PlanBenchmark
{
    /// <summary>MiB allocated by each phase in the last iteration.</summary>
    private static readonly Dictionary<string, double> Allocations = [];

    private static readonly string[] Phases = ["yaml-only", "load", "validate", "graph", "params", "start", "next", "total"];

    public static int Run(int tasks, int layers, int iterations)
    {
        var yaml = LayeredDag.Yaml(tasks, layers);
        Console.WriteLine($"plan: {tasks} tasks in {layers} layers, {yaml.Length / 1024} KiB of YAML, {iterations} timed iterations after 1 warm-up");

        // Warm-up on a small DAG so JIT and static initialisation are not billed to the first iteration.
        Once(LayeredDag.Yaml(50, 5), out _);

        var samples = Phases.ToDictionary(p => p, _ => new List<double>());
        var allocated = new List<long>();
        var firstActions = 0;
        for (var n = 0; n < iterations; n++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var times = Once(yaml, out firstActions);
            allocated.Add(GC.GetTotalAllocatedBytes(precise: true) - before);
            foreach (var (phase, ms) in times)
            {
                samples[phase].Add(ms);
            }
        }

        Console.WriteLine($"first decision: {firstActions} tasks to start");
        Console.WriteLine($"{"phase",-10} {"min ms",10} {"median ms",10} {"alloc MiB",10}");
        foreach (var phase in Phases)
        {
            var s = samples[phase].Order().ToList();
            var alloc = Allocations.TryGetValue(phase, out var mb) ? $"{mb,10:F0}" : "";
            Console.WriteLine($"{phase,-10} {s[0],10:F1} {Median(s),10:F1} {alloc}");
        }

        using var self = Process.GetCurrentProcess();
        self.Refresh();
        var peakMb = self.PeakWorkingSet64 / 1024.0 / 1024.0;
        var allocMb = allocated.Order().ToList() is var a ? Median(a.Select(x => (double)x).ToList()) / 1024 / 1024 : 0;
        Console.WriteLine($"peak working set (process, after all iterations): {peakMb:F0} MB");
        Console.WriteLine($"GC allocated per iteration (median): {allocMb:F0} MB");
        var total = Median([.. samples["total"].Order()]);
        Console.WriteLine($"targets: total < 200 ms -> {(total < 200 ? "met" : "NOT met")} ({total / 200:F2}x); peak < 300 MB -> {(peakMb < 300 ? "met" : "NOT met")} ({peakMb / 300:F2}x)");
        Profile();
        return 0;
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

    private static List<(string Phase, double Ms)> Once(string yaml, out int firstActions)
    {
        var times = new List<(string, double)>();
        var sw = Stopwatch.StartNew();
        var all = Stopwatch.StartNew();
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        double Lap(string phase)
        {
            var ms = sw.Elapsed.TotalMilliseconds;
            times.Add((phase, ms));
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            Allocations[phase] = (allocated - allocatedBefore) / 1024.0 / 1024.0;
            allocatedBefore = allocated;
            sw.Restart();
            return ms;
        }

        // YamlDotNet's parse alone, for reference: not part of the total.
        new YamlDotNet.RepresentationModel.YamlStream().Load(new StringReader(yaml));
        Lap("yaml-only");
        all.Restart();
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
        return times;
    }

    private static double Median(List<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}
