using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Mothership.Engine.Execution;
using Mothership.Engine.Resolution;
using Mothership.Executors.Kubernetes;
using Mothership.Executors.Kubernetes.Pods;
using Mothership.Executors.Kubernetes.Tests.FakeApi;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;

namespace Mothership.Bench;

/// <summary>
/// <c>… -- kubernetes [--taskruns N] [--qps Q]</c>: N TaskRuns (one step) started at once on the
/// Kubernetes executor against the fake API server of the tests (its kubelet runs each container
/// as a process under bubblewrap). Reports API calls per TaskRun by verb, the time until every pod
/// was created and until every TaskRun ended, and the process's memory (executor and fake together).
/// </summary>
public static class KubernetesBenchmark
{
    private const string TaskYaml = """
        apiVersion: tekton.dev/v1
        kind: Task
        metadata: {name: one-step}
        spec:
          results:
            - {name: out}
          steps:
            - name: write
              image: docker.io/library/alpine:3.20
              script: printf ok > $(results.out.path)
        """;

    private sealed class NullListener : ITaskRunListener
    {
        public void OnLog(TaskRunRequest request, string container, string line)
        {
        }

        public void OnStep(TaskRunRequest request, StepState step)
        {
        }
    }

    public static int Run(int taskRuns, int qps)
    {
        return RunAsync(taskRuns, qps).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(int taskRuns, int qps)
    {
        var bag = new DiagnosticBag();
        var resources = new ResourceSet { All = [.. ResourceLoader.Load("task.yaml", TaskYaml, bag)] };
        var task = resources.All.OfType<TektonTask>().Single();
        await using var api = await FakeKubernetesApi.StartAsync(new FakeKubernetesApiOptions { BookmarkInterval = TimeSpan.FromSeconds(5) });
        await using var executor = new KubernetesTaskExecutor(api.CreateClient(), new KubernetesExecutorOptions { Namespace = "default", Qps = qps, Burst = qps * 2 });
        var load = File.ReadAllText("/proc/loadavg").Trim();
        Console.WriteLine($"kubernetes: {taskRuns} TaskRuns at once, client QPS {qps} (burst {qps * 2}), load average {load}");
        var clock = Stopwatch.StartNew();
        var outcomes = new ConcurrentBag<TaskRunOutcome>();
        var runs = Enumerable.Range(0, taskRuns).Select(async i =>
        {
            var request = TaskRunBuilder.Build(
                new TaskRunInput
                {
                    TaskRunName = $"bench-{i:D5}",
                    TaskRunUid = Guid.NewGuid().ToString(),
                    TaskName = task.Metadata.Name,
                    Spec = task.Spec,
                    PipelineRunName = "bench",
                    PipelineTaskName = $"t{i}",
                },
                resources);
            outcomes.Add(await executor.RunAsync(request, new NullListener(), CancellationToken.None));
        }).ToList();

        // Every pod created: the executor's client-side limit is what paces this.
        var allCreated = TimeSpan.Zero;
        while (runs.Any(r => !r.IsCompleted))
        {
            if (allCreated == TimeSpan.Zero && api.Requests.Count(r => r.Method == "POST" && r.Resource == "pods") >= taskRuns)
            {
                allCreated = clock.Elapsed;
            }

            await Task.WhenAny(Task.WhenAll(runs), Task.Delay(50));
        }

        await Task.WhenAll(runs);
        var total = clock.Elapsed;
        var requests = api.Requests;
        double Per(Func<RecordedRequest, bool> match) => requests.Count(match) / (double)taskRuns;
        var succeeded = outcomes.Count(o => o.Phase == TaskRunPhase.Succeeded && o.Results.Length == 1);
        using var process = Process.GetCurrentProcess();
        string F(double v) => v.ToString("0.00", CultureInfo.InvariantCulture);
        Console.WriteLine();
        Console.WriteLine($"| kubernetes executor: {taskRuns} TaskRuns | value |");
        Console.WriteLine("| --- | --- |");
        Console.WriteLine($"| TaskRuns succeeded (with their result) | {succeeded} of {taskRuns} |");
        Console.WriteLine($"| writes per TaskRun (POST/PUT/PATCH/DELETE) | {F(Per(r => r.IsWrite))} (create pod {F(Per(r => r.Method == "POST" && r.Resource == "pods"))}, delete pod {F(Per(r => r.Method == "DELETE" && r.Resource == "pods"))}) |");
        Console.WriteLine($"| reads per TaskRun (GET, log streams) | {F(Per(r => r.Method == "GET" && !r.IsWatch))} |");
        Console.WriteLine($"| watches opened (all TaskRuns together) / lists | {requests.Count(r => r.IsWatch)} / {executor.Watcher.Lists} |");
        Console.WriteLine($"| time until every pod was created | {allCreated.TotalSeconds:0.0} s (client QPS {qps}) |");
        Console.WriteLine($"| time until every TaskRun ended | {total.TotalSeconds:0.0} s |");
        Console.WriteLine($"| peak working set (executor and fake API in one process) | {process.PeakWorkingSet64 / 1048576} MB |");
        Console.WriteLine($"| GC heap after the run | {GC.GetTotalMemory(forceFullCollection: true) / 1048576} MB |");
        Console.WriteLine($"| load average after | {File.ReadAllText("/proc/loadavg").Trim()} |");
        return succeeded == taskRuns ? 0 : 1;
    }
}
