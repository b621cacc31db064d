using System.Collections.Immutable;
using Mothership.Engine.Execution;
using Mothership.Model.Tekton;
using Mothership.Model.Tekton.Vocabulary;
using Mothership.Server.Execution;

namespace Mothership.Server.Tests.Execution;

/// <summary>The server's executor: runs routed by the annotations they carry, one executor per route, cleanup across them all.</summary>
public sealed class RoutingExecutorTests
{
    private sealed class RecordingExecutor(string name) : ITaskExecutor, IRunCleanup, IAsyncDisposable
    {
        public string Name => name;

        public List<string> Ran { get; } = [];

        public HashSet<string> Holding { get; } = new(StringComparer.Ordinal);

        public int Disposed { get; private set; }

        public Task<TaskRunOutcome> RunAsync(TaskRunRequest request, ITaskRunListener listener, CancellationToken cancellationToken)
        {
            Ran.Add(request.TaskRunName);
            var now = DateTimeOffset.UnixEpoch;
            return Task.FromResult(new TaskRunOutcome { Phase = TaskRunPhase.Succeeded, StartTime = now, CompletionTime = now });
        }

        public Task<IReadOnlySet<string>> ListHoldingRunsAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlySet<string>>(Holding);

        public Task<int> ReleaseRunAsync(string runUid, CancellationToken cancellationToken) => Task.FromResult(Holding.Remove(runUid) ? 1 : 0);

        public ValueTask DisposeAsync()
        {
            Disposed++;
            return ValueTask.CompletedTask;
        }
    }

    private static TaskRunRequest Request(string name, IReadOnlyDictionary<string, string>? annotations = null) => new()
    {
        TaskRunName = name,
        TaskRunUid = Guid.NewGuid().ToString(),
        Spec = new TaskSpec(),
        Resources = new ResourceSet(),
        Annotations = annotations is null ? ImmutableSortedDictionary<string, string>.Empty : annotations.ToImmutableSortedDictionary(StringComparer.Ordinal),
    };

    private static IReadOnlyDictionary<string, string> Pods(string context, string ns) =>
        new ExecutorRoute(ExecutorRoute.Kubernetes, Context: context, Namespace: ns).Annotations();

    [Fact(Timeout = 10_000)]
    public async Task RunAsync_RunsOfTwoClustersAndAPlainRun_EachOnItsOwnExecutorMadeOncePerRoute()
    {
        var home = new RecordingExecutor("home");
        var made = new List<(ExecutorRoute Route, RecordingExecutor Executor)>();
        var router = new RoutingExecutor(home, ExecutorRoute.Local, route =>
        {
            var executor = new RecordingExecutor(route.Context ?? route.Kind);
            made.Add((route, executor));
            return executor;
        });
        var listener = new NullListener();

        await router.RunAsync(Request("plain"), listener, TestContext.Current.CancellationToken);
        await router.RunAsync(Request("eu-1", Pods("eu", "deploys")), listener, TestContext.Current.CancellationToken);
        await router.RunAsync(Request("us-1", Pods("us", "deploys")), listener, TestContext.Current.CancellationToken);
        await router.RunAsync(Request("eu-2", Pods("eu", "deploys")), listener, TestContext.Current.CancellationToken);
        await router.RunAsync(Request("local", new ExecutorRoute(ExecutorRoute.Local).Annotations()), listener, TestContext.Current.CancellationToken);

        Assert.Equal(["plain", "local"], home.Ran);
        Assert.Equal(["eu", "us"], made.Select(m => m.Executor.Name));
        Assert.Equal(new ExecutorRoute(ExecutorRoute.Kubernetes, null, "eu", "deploys"), made[0].Route);
        Assert.Equal(["eu-1", "eu-2"], made[0].Executor.Ran);
        Assert.Equal(["us-1"], made[1].Executor.Ran);
    }

    [Fact(Timeout = 10_000)]
    public async Task RunAsync_LocalRouteOnAKubernetesServer_GoesToTheLocalExecutorNotTheServersCluster()
    {
        var home = new RecordingExecutor("cluster");
        RecordingExecutor? local = null;
        var router = new RoutingExecutor(home, ExecutorRoute.Kubernetes, route => local = new RecordingExecutor(route.Kind));

        await router.RunAsync(Request("deploy", new ExecutorRoute(ExecutorRoute.Local).Annotations()), new NullListener(), TestContext.Current.CancellationToken);

        Assert.Empty(home.Ran);
        Assert.Equal(["deploy"], local!.Ran);
    }

    [Fact(Timeout = 10_000)]
    public async Task Cleanup_HoldingRunsInSeveralClusters_ListedAndReleasedAcrossAllThenDisposedOnce()
    {
        var home = new RecordingExecutor("home");
        home.Holding.Add("run-a");
        var site = new RecordingExecutor("site");
        site.Holding.UnionWith(["run-a", "run-b"]);
        var router = new RoutingExecutor(home, ExecutorRoute.Kubernetes, _ => site);
        router.For(new ExecutorRoute(ExecutorRoute.Kubernetes, Context: "eu", Namespace: "deploys"));

        Assert.Equal(["run-a", "run-b"], (await router.ListHoldingRunsAsync(TestContext.Current.CancellationToken)).Order(StringComparer.Ordinal));
        Assert.Equal(2, await router.ReleaseRunAsync("run-a", TestContext.Current.CancellationToken));
        Assert.Equal(["run-b"], await router.ListHoldingRunsAsync(TestContext.Current.CancellationToken));

        await router.DisposeAsync();
        await router.DisposeAsync();
        Assert.Equal(1, home.Disposed);
        Assert.Equal(1, site.Disposed);
    }

    [Fact(Timeout = 10_000)]
    public void For_CreationFails_NotCachedSoTheNextRunAsksAgain()
    {
        var calls = 0;
        var router = new RoutingExecutor(new RecordingExecutor("home"), ExecutorRoute.Local, _ =>
            ++calls == 1 ? throw new Mothership.Executors.Kubernetes.KubernetesConfigException("no context 'eu'") : new RecordingExecutor("eu"));
        var route = new ExecutorRoute(ExecutorRoute.Kubernetes, Context: "eu", Namespace: "deploys");

        Assert.Throws<Mothership.Executors.Kubernetes.KubernetesConfigException>(() => router.For(route));
        var second = router.For(route);

        Assert.Same(second, router.For(route));
        Assert.Equal(2, calls);
    }

    [Fact]
    public void Of_AnnotationsOfARoute_TheSameRouteBack()
    {
        var route = new ExecutorRoute(ExecutorRoute.Kubernetes, "prod/kubeconfig", "arn:aws:eks:eu-west-1:1:cluster/prod", "deploys");

        Assert.Equal(route, ExecutorRoute.Of(route.Annotations()));
        Assert.Null(ExecutorRoute.Of(new Dictionary<string, string> { [MothershipLabels.Site] = "prod" }));
        Assert.Throws<InvalidOperationException>(() => ExecutorRoute.Of(new Dictionary<string, string> { [MothershipLabels.Executor] = "docker" }));
    }

    private sealed class NullListener : ITaskRunListener
    {
        public void OnLog(TaskRunRequest request, string container, string line)
        {
        }

        public void OnStep(TaskRunRequest request, StepState step)
        {
        }
    }
}
