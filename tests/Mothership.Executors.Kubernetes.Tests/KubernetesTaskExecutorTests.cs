using System.Collections.Concurrent;
using System.Collections.Immutable;
using Mothership.Engine.Execution;
using Mothership.Executors.Kubernetes.Tests.FakeApi;
using Mothership.Executors.Kubernetes.Tests.Pods;
using Mothership.Model.Tekton;

namespace Mothership.Executors.Kubernetes.Tests;

/// <summary>The executor against the fake API server, through the real client over HTTP.</summary>
public sealed class KubernetesTaskExecutorTests : IAsyncLifetime
{
    private FakeKubernetesApi _api = null!;
    private KubernetesTaskExecutor _executor = null!;

    public async ValueTask InitializeAsync()
    {
        _api = await FakeKubernetesApi.StartAsync(new FakeKubernetesApiOptions { BookmarkInterval = TimeSpan.FromMilliseconds(200) }, TestContext.Current.CancellationToken);
        _executor = new KubernetesTaskExecutor(_api.CreateClient(), new KubernetesExecutorOptions { Namespace = "default" });
    }

    public async ValueTask DisposeAsync()
    {
        await _executor.DisposeAsync();
        await _api.DisposeAsync();
    }

    private sealed class Listener : ITaskRunListener
    {
        public ConcurrentQueue<(string Container, string Line)> Logs { get; } = new();

        public ConcurrentQueue<StepState> Steps { get; } = new();

        public void OnLog(TaskRunRequest request, string container, string line) => Logs.Enqueue((container, line));

        public void OnStep(TaskRunRequest request, StepState step) => Steps.Enqueue(step);

        public string[] Lines(string container) => [.. Logs.Where(l => l.Container == container).Select(l => l.Line)];
    }

    private static TaskRunRequest TaskOf(string steps, string extra = "", TimeSpan? timeout = null) => PodBuilderTests.Request(
        $"apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {{name: t{Guid.NewGuid():N}}}\nspec:\n{extra}  steps:\n{steps}",
        timeout: timeout);

    private int Writes() => _api.Requests.Count(r => r.Method is "POST" or "PUT" or "PATCH" or "DELETE");

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_ScriptSteps_SucceedWithLogsResultsAndTwoWrites()
    {
        var request = TaskOf(
            "    - name: hello\n      image: alpine\n      script: |\n        echo hello from $(context.taskRun.name)\n        printf 'v1.2.3' > $(results.version.path)\n" +
            "    - name: list\n      image: alpine\n      script: |\n        #!/bin/sh\n        printf '[\"a\",\"b\"]' > $(results.items.path)\n        echo done\n",
            extra: "  results:\n    - {name: version}\n    - {name: items, type: array}\n");
        var listener = new Listener();

        var outcome = await _executor.RunAsync(request, listener, TestContext.Current.CancellationToken);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal([$"hello from {request.TaskRunName}"], listener.Lines("step-hello"));
        Assert.Equal(["done"], listener.Lines("step-list"));
        Assert.Equal("v1.2.3", outcome.Results.Single(r => r.Name == "version").Value.ToString());
        Assert.Equal(ParamType.Array, outcome.Results.Single(r => r.Name == "items").Value.Type);
        Assert.All(outcome.Steps, s => Assert.Equal(("Completed", 0), (s.TerminationReason, s.ExitCode)));
        Assert.Equal(2, Writes());
        Assert.Empty(_api.Pods);
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_StepResults_ReachLaterStepsTheStatusAndTaskResults()
    {
        var request = TaskOf(
            "    - name: make\n      image: alpine\n      results:\n        - {name: digest}\n        - {name: tags, type: array}\n" +
            "      script: |\n        printf 'sha:1 $HOME' > $(step.results.digest.path)\n        printf '[\"a b\", \"c\"]' > $(step.results.tags.path)\n" +
            "    - name: use\n      image: alpine\n      env:\n        - {name: DIGEST, value: \"$(steps.make.results.digest)\"}\n" +
            "      command: [sh, -c, 'printf \"<%s>\" \"$DIGEST\" \"$@\"; echo', sh]\n      args: [\"$(steps.make.results.tags[*])\", \"$(steps.make.results.tags[1])\"]\n",
            extra: "  results:\n    - {name: digest, value: $(steps.make.results.digest)}\n");
        var listener = new Listener();

        var outcome = await _executor.RunAsync(request, listener, TestContext.Current.CancellationToken);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal(["<sha:1 $HOME><a b><c><c>"], listener.Lines("step-use"));
        var make = outcome.Steps.Single(s => s.Name == "make").Results;
        Assert.Equal(["digest", "tags"], make.Select(r => r.Name));
        Assert.Equal(ParamType.Array, make.Single(r => r.Name == "tags").Value.Type);
        Assert.Equal("sha:1 $HOME", outcome.Results.Single(r => r.Name == "digest").Value.ToString());
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_FailingStep_FailsAndSkipsTheRest()
    {
        var request = TaskOf("    - {name: ok, image: alpine, command: [\"true\"]}\n    - {name: bad, image: alpine, script: \"echo broken; exit 3\"}\n    - {name: never, image: alpine, command: [\"true\"]}\n");

        var outcome = await _executor.RunAsync(request, new Listener(), TestContext.Current.CancellationToken);

        Assert.Equal(TaskRunPhase.Failed, outcome.Phase);
        Assert.Equal("\"step-bad\" exited with code 3", outcome.Message);
        Assert.Equal(["Completed", "Error", "Skipped"], outcome.Steps.Select(s => s.TerminationReason));
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_OnErrorContinue_RecordsTheExitCodeAndGoesOn()
    {
        var request = TaskOf(
            "    - {name: lint, image: alpine, onError: continue, command: [sh, -c, \"exit 4\"]}\n" +
            "    - name: report\n      image: alpine\n      script: echo \"lint said $(cat $(steps.lint.exitCode.path))\"\n");
        var listener = new Listener();

        var outcome = await _executor.RunAsync(request, listener, TestContext.Current.CancellationToken);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal(("Continued", 4), (outcome.Steps[0].TerminationReason, outcome.Steps[0].ExitCode));
        Assert.Equal(["lint said 4"], listener.Lines("step-report"));
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_WorkspaceEmptyDir_IsSharedBetweenSteps()
    {
        var request = PodBuilderTests.Request(
            "apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: ws}\nspec:\n  workspaces:\n    - {name: data}\n  steps:\n" +
            "    - {name: write, image: alpine, script: \"echo shared > $(workspaces.data.path)/file\"}\n" +
            "    - {name: read, image: alpine, script: \"cat $(workspaces.data.path)/file\"}\n",
            workspaces: [new WorkspaceBinding { Name = "data", Source = new VolumeSource { EmptyDir = true } }]);
        var listener = new Listener();

        var outcome = await _executor.RunAsync(request, listener, TestContext.Current.CancellationToken);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal(["shared"], listener.Lines("step-read"));
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_Timeout_DeletesThePodAndTimesOut()
    {
        var request = TaskOf("    - {name: slow, image: alpine, command: [sleep, \"30\"]}\n    - {name: after, image: alpine, command: [\"true\"]}\n", timeout: TimeSpan.FromSeconds(2)) with { GracePeriod = TimeSpan.FromSeconds(1) };

        var outcome = await _executor.RunAsync(request, new Listener(), TestContext.Current.CancellationToken);

        Assert.Equal(TaskRunPhase.TimedOut, outcome.Phase);
        Assert.Equal(["TimeoutExceeded", "Skipped"], outcome.Steps.Select(s => s.TerminationReason));
        await WaitAsync(() => _api.Pods.Count == 0);
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_Cancelled_DeletesThePod()
    {
        var request = TaskOf("    - {name: slow, image: alpine, command: [sleep, \"30\"]}\n") with { GracePeriod = TimeSpan.FromSeconds(1) };
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var run = _executor.RunAsync(request, new Listener(), cancel.Token);
        await _api.WaitForPodAsync(PodBuilder(request), StepRunning, cancellationToken: TestContext.Current.CancellationToken);

        await cancel.CancelAsync();
        var outcome = await run;

        Assert.Equal(TaskRunPhase.Cancelled, outcome.Phase);
        Assert.Equal("Cancelled", outcome.Steps[0].TerminationReason);
        await WaitAsync(() => _api.Pods.Count == 0);
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_PodEvicted_FailsWithTheReason()
    {
        var request = TaskOf("    - {name: slow, image: alpine, command: [sleep, \"30\"]}\n");
        var run = _executor.RunAsync(request, new Listener(), TestContext.Current.CancellationToken);
        await _api.WaitForPodAsync(PodBuilder(request), StepRunning, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(_api.Faults.EvictPod(PodBuilder(request)));
        var outcome = await run;

        Assert.Equal(TaskRunPhase.Failed, outcome.Phase);
        Assert.Contains("evicted", outcome.Message, StringComparison.Ordinal);
        Assert.Contains("low on resource", outcome.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_NodeLost_FailsInsteadOfHanging()
    {
        var request = TaskOf("    - {name: slow, image: alpine, command: [sleep, \"30\"]}\n");
        var run = _executor.RunAsync(request, new Listener(), TestContext.Current.CancellationToken);
        await _api.WaitForPodAsync(PodBuilder(request), StepRunning, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(await _api.Faults.LoseNodeOfPodAsync(PodBuilder(request)));
        var outcome = await run;

        Assert.Equal(TaskRunPhase.Failed, outcome.Phase);
        Assert.Contains("disappeared", outcome.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_ApiThrottlesAndFails_RetriesTheCreate()
    {
        _api.Faults.FailNext(1, "POST", "/api/v1/namespaces/default/pods", RequestFault.TooManyRequests, retryAfter: TimeSpan.FromSeconds(1));
        _api.Faults.FailNext(1, "POST", "/api/v1/namespaces/default/pods", RequestFault.InternalError);
        var request = TaskOf("    - {name: ok, image: alpine, script: \"echo ok\"}\n");

        var outcome = await _executor.RunAsync(request, new Listener(), TestContext.Current.CancellationToken);

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.Equal(3, _api.Requests.Count(r => r.Method == "POST" && r.Path.EndsWith("/pods", StringComparison.Ordinal)));
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_WatchDroppedAndExpired_StillSeesTheEnd()
    {
        var request = TaskOf("    - {name: wait, image: alpine, script: \"sleep 1; echo ok\"}\n");
        var run = _executor.RunAsync(request, new Listener(), TestContext.Current.CancellationToken);
        await _api.WaitForPodAsync(PodBuilder(request), StepRunning, cancellationToken: TestContext.Current.CancellationToken);

        _api.Faults.ExpireWatchWindow();
        _api.Faults.DropWatches();
        var outcome = await run;

        Assert.Equal(TaskRunPhase.Succeeded, outcome.Phase);
        Assert.True(_executor.Watcher.Lists >= 2, $"lists: {_executor.Watcher.Lists}");
    }

    [Fact(Timeout = 60_000)]
    public async Task RunAsync_ResultsOverTheLimit_FailClearly()
    {
        var request = TaskOf("    - {name: big, image: alpine, script: \"head -c 5000 /dev/zero | tr '\\\\0' x > $(results.blob.path)\"}\n", extra: "  results:\n    - {name: blob}\n");

        var outcome = await _executor.RunAsync(request, new Listener(), TestContext.Current.CancellationToken);

        Assert.Equal(TaskRunPhase.Failed, outcome.Phase);
        Assert.Contains("5000 bytes, more than the 4096", outcome.Message, StringComparison.Ordinal);
    }

    /// <summary>A pod stays Pending while its init containers (the steps) run: wait for the first step itself.</summary>
    private static bool StepRunning(k8s.Models.V1Pod pod) =>
        pod.Status?.InitContainerStatuses?.Any(s => s.Name.StartsWith("step-", StringComparison.Ordinal) && s.State?.Running is not null) == true;

    private static string PodBuilder(TaskRunRequest request) => Kubernetes.Pods.PodBuilder.PodName(request);

    private static async Task WaitAsync(Func<bool> condition)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "condition not met in 20 s");
            await System.Threading.Tasks.Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
