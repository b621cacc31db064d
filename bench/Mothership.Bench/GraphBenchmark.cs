using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;
using Mothership.Server.Api;

namespace Mothership.Bench;

/// <summary>
/// The run graph the dashboard draws (<see cref="RunGraph.Build"/>) of an N-task layered DAG
/// (<see cref="LayeredDag"/>), in process, at several sizes: the shape made once per run (the DAG, the
/// edges), the graph of the run not started, parsing a finished run object, and the graph of it.
/// The object is made here with one succeeded TaskRun per task, with the fields the engine writes
/// (conditions, start and completion times, a step). Medians of I iterations after one not counted
/// (the first, reported apart: it pays JIT), and the bytes allocated per task.
/// </summary>
internal static class GraphBenchmark
{
    public static int Run(IReadOnlyList<int> sizes, int iterations)
    {
        Console.WriteLine($"run graph, layered DAG of 10 layers; medians of {iterations} iterations; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        Console.WriteLine($"{"tasks",7} {"shape ms",9} {"not started ms",15} {"parse ms",9} {"finished ms",12} {"finished µs/task",17} {"alloc B/task",13} {"graph KB",9} {"first ms",9}");
        foreach (var tasks in sizes)
        {
            var spec = Spec(tasks);
            var text = FinishedObject(spec);
            var now = TimeProvider.System.GetUtcNow();
            var shapeMs = new List<double>();
            var emptyMs = new List<double>();
            var parseMs = new List<double>();
            var finishedMs = new List<double>();
            var allocated = new List<double>();
            var first = 0.0;
            var bytes = 0;
            for (var i = 0; i <= iterations; i++)
            {
                var clock = Stopwatch.StartNew();
                var before = GC.GetAllocatedBytesForCurrentThread();
                var shape = new RunGraphShape(spec);
                _ = RunGraph.Build(shape, null, now);
                var shaped = clock.Elapsed.TotalMilliseconds;
                clock.Restart();
                _ = RunGraph.Build(shape, null, now);
                var empty = clock.Elapsed.TotalMilliseconds;
                clock.Restart();
                using var document = JsonDocument.Parse(text);
                var parsed = clock.Elapsed.TotalMilliseconds;
                clock.Restart();
                var graph = RunGraph.Build(shape, document.RootElement, now);
                var finished = clock.Elapsed.TotalMilliseconds;
                var after = GC.GetAllocatedBytesForCurrentThread();
                bytes = graph.Bytes.Length;
                if (i == 0)
                {
                    first = shaped + parsed + finished;
                    continue;
                }

                // The shape's time is the first build less a second one of the same (not started) run.
                shapeMs.Add(shaped - empty);
                emptyMs.Add(empty);
                parseMs.Add(parsed);
                finishedMs.Add(finished);
                allocated.Add(after - before);
            }

            var perTask = Median(finishedMs) * 1000 / tasks;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{tasks,7:N0} {Median(shapeMs),9:F1} {Median(emptyMs),15:F1} {Median(parseMs),9:F1} {Median(finishedMs),12:F1} {perTask,17:F2} {Median(allocated) / tasks,13:N0} {bytes / 1024,9:N0} {first,9:F1}"));
        }

        return 0;
    }

    private static PipelineSpec Spec(int tasks)
    {
        var bag = new DiagnosticBag();
        var pipeline = ResourceLoader.Load("dag.yaml", LayeredDag.Yaml(tasks, 10), bag).OfType<Pipeline>().Single();
        return bag.HasErrors ? throw new InvalidOperationException(string.Join("; ", bag.Sorted().Take(5))) : pipeline.Spec;
    }

    private static string FinishedObject(PipelineSpec spec)
    {
        var json = new StringBuilder(spec.Tasks.Length * 600).Append("""{"apiVersion":"tekton.dev/v1","kind":"PipelineRun","metadata":{"name":"dag-run"},"status":{"taskRuns":{""");
        for (var i = 0; i < spec.Tasks.Length; i++)
        {
            var name = spec.Tasks[i].Name;
            json.Append(i > 0 ? "," : "").Append(CultureInfo.InvariantCulture, $$$"""
                "dag-run-{{{name}}}":{"apiVersion":"tekton.dev/v1","kind":"TaskRun","metadata":{"name":"dag-run-{{{name}}}","labels":{"tekton.dev/pipelineTask":"{{{name}}}"}},"pipelineTaskName":"{{{name}}}","status":{"conditions":[{"type":"Succeeded","status":"True","reason":"Succeeded","message":"All Steps have completed executing"}],"startTime":"2026-01-01T00:{{{i / 60 % 60:D2}}}:{{{i % 60:D2}}}Z","completionTime":"2026-01-01T01:{{{i / 60 % 60:D2}}}:{{{i % 60:D2}}}Z","podName":"","steps":[{"name":"noop","container":"step-noop","terminated":{"exitCode":0,"reason":"Completed"}}]}}
                """);
        }

        return json.Append("}}}").ToString();
    }

    private static double Median(List<double> values) => StoreBenchmark.Percentile([.. values.Order()], 0.5);
}
