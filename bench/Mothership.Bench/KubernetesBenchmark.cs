using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Mothership.Engine.Execution;
using Mothership.Engine.Resolution;
using Mothership.Executors.Kubernetes;
using Mothership.Executors.Kubernetes.Pods;
using Mothership.Testing.Kubernetes;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;

namespace Mothership.Bench;

/// <summary>
/// <c>… -- kubernetes [--taskruns N] [--qps Q]</c>: N TaskRuns (one step) started at once on the
/// Kubernetes executor against the fake API server of the tests (its kubelet runs each container
/// as a process under bubblewrap). The fake runs in a child process (this program in
/// <see cref="FakeApiMode"/>), so this process holds the executor alone and its memory is the
/// executor's. Reports API calls per TaskRun by verb (counted by the fake), the time until every
/// pod was created and until every TaskRun ended, and the executor's memory.
/// </summary>
public static class KubernetesBenchmark
{
    /// <summary>The argument that makes this program serve the fake API until its stdin closes.</summary>
    public const string FakeApiMode = "kubernetes-fake-api";

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

    /// <summary>
    /// The child: starts the fake, prints <c>kubeconfig PATH</c>, answers <c>count</c> lines with the
    /// pods created so far, and when its stdin closes prints the requests it received (one line
    /// each: method, resource, watch) and its own peak memory, then exits.
    /// </summary>
    public static int ServeFakeApi()
    {
        return ServeAsync().GetAwaiter().GetResult();

        static async Task<int> ServeAsync()
        {
            await using var api = await FakeKubernetesApi.StartAsync(new FakeKubernetesApiOptions { BookmarkInterval = TimeSpan.FromSeconds(5) });
            Console.WriteLine($"kubeconfig {api.KubeconfigPath}");
            while (await Console.In.ReadLineAsync() is { } line)
            {
                if (line == "count")
                {
                    Console.WriteLine(api.Requests.Count(r => r.Method == "POST" && r.Resource == "pods"));
                }
            }

            foreach (var r in api.Requests)
            {
                Console.WriteLine($"request {r.Method} {r.Resource ?? "-"} {(r.IsWatch ? "watch" : "-")}");
            }

            using var self = Process.GetCurrentProcess();
            Console.WriteLine($"peak {self.PeakWorkingSet64}");
            return 0;
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
        using var fake = StartFake();
        var kubeconfig = (await fake.StandardOutput.ReadLineAsync())?.Split(' ', 2) is ["kubeconfig", var path] ? path : throw new InvalidOperationException("the fake API did not start");
        await using var executor = new KubernetesTaskExecutor(
            new k8s.Kubernetes(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig)),
            new KubernetesExecutorOptions { Namespace = "default", Qps = qps, Burst = qps * 2 });
        var load = File.ReadAllText("/proc/loadavg").Trim();
        Console.WriteLine($"kubernetes: {taskRuns} TaskRuns at once, client QPS {qps} (burst {qps * 2}), load average {load}; fake API in process {fake.Id}");
        GC.Collect();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
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
        long heapPeak = 0;
        while (runs.Any(r => !r.IsCompleted))
        {
            heapPeak = Math.Max(heapPeak, GC.GetTotalMemory(forceFullCollection: false));
            if (allCreated == TimeSpan.Zero)
            {
                await fake.StandardInput.WriteLineAsync("count");
                if (int.Parse(await fake.StandardOutput.ReadLineAsync() ?? "0", CultureInfo.InvariantCulture) >= taskRuns)
                {
                    allCreated = clock.Elapsed;
                }
            }

            await Task.WhenAny(Task.WhenAll(runs), Task.Delay(50));
        }

        await Task.WhenAll(runs);
        var total = clock.Elapsed;
        fake.StandardInput.Close();
        var requests = new List<(string Method, string Resource, bool Watch)>();
        long fakePeak = 0;
        while (await fake.StandardOutput.ReadLineAsync() is { } line)
        {
            var parts = line.Split(' ');
            if (parts is ["request", var method, var resource, var watch])
            {
                requests.Add((method, resource, watch == "watch"));
            }
            else if (parts is ["peak", var bytes])
            {
                fakePeak = long.Parse(bytes, CultureInfo.InvariantCulture);
            }
        }

        await fake.WaitForExitAsync();
        double Per(Func<(string Method, string Resource, bool Watch), bool> match) => requests.Count(match) / (double)taskRuns;
        bool IsWrite((string Method, string Resource, bool Watch) r) => r.Method is "POST" or "PUT" or "PATCH" or "DELETE";
        var succeeded = outcomes.Count(o => o.Phase == TaskRunPhase.Succeeded && o.Results.Length == 1);
        using var process = Process.GetCurrentProcess();
        string F(double v) => v.ToString("0.00", CultureInfo.InvariantCulture);
        Console.WriteLine();
        Console.WriteLine($"| kubernetes executor: {taskRuns} TaskRuns | value |");
        Console.WriteLine("| --- | --- |");
        Console.WriteLine($"| TaskRuns succeeded (with their result) | {succeeded} of {taskRuns} |");
        Console.WriteLine($"| writes per TaskRun (POST/PUT/PATCH/DELETE) | {F(Per(IsWrite))} (create pod {F(Per(r => r.Method == "POST" && r.Resource == "pods"))}, delete pod {F(Per(r => r.Method == "DELETE" && r.Resource == "pods"))}) |");
        Console.WriteLine($"| reads per TaskRun (GET, log streams) | {F(Per(r => r.Method == "GET" && !r.Watch))} |");
        Console.WriteLine($"| watches opened (all TaskRuns together) / lists | {requests.Count(r => r.Watch)} / {executor.Watcher.Lists} |");
        Console.WriteLine($"| time until every pod was created | {allCreated.TotalSeconds:0.0} s (client QPS {qps}) |");
        Console.WriteLine($"| time until every TaskRun ended | {total.TotalSeconds:0.0} s |");
        Console.WriteLine($"| executor process: peak working set | {process.PeakWorkingSet64 / 1048576} MB |");
        Console.WriteLine($"| executor process: GC heap before / highest seen / after the run | {heapBefore / 1048576} / {heapPeak / 1048576} / {GC.GetTotalMemory(forceFullCollection: true) / 1048576} MB |");
        Console.WriteLine($"| fake API process: peak working set | {fakePeak / 1048576} MB |");
        Console.WriteLine($"| load average after | {File.ReadAllText("/proc/loadavg").Trim()} |");
        return succeeded == taskRuns ? 0 : 1;
    }

    /// <summary>This program again, serving the fake API in its own process.</summary>
    private static Process StartFake()
    {
        var info = Program.StartOfThisProgram();
        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        info.ArgumentList.Add(FakeApiMode);
        return Process.Start(info)!;
    }
}
