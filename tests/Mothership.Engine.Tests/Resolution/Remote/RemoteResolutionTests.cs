using Microsoft.Extensions.Time.Testing;
using Mothership.Engine.Resolution.Remote;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Tests.Resolution.Remote;

public sealed class RemoteResolutionTests
{
    private const string TwoRefsToOneUrl = """
        apiVersion: tekton.dev/v1
        kind: PipelineRun
        metadata: {name: r}
        spec:
          pipelineSpec:
            tasks:
              - name: a
                taskRef: {resolver: http, params: [{name: url, value: "https://x/t.yaml"}]}
              - name: b
                taskRef: {resolver: http, params: [{name: url, value: "https://x/t.yaml"}]}
        """;

    private const string Task = "apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: t}\nspec: {steps: [{name: s, image: alpine, script: echo hi}]}\n";

    private sealed class CountingResolver(Func<CancellationToken, Task<ResolvedDocument>> answer) : IRemoteResolver
    {
        public int Calls;

        public string Name => "http";

        public Task<ResolvedDocument> ResolveAsync(ResolutionRequest request, IResolutionSecrets secrets, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            return answer(cancellationToken);
        }
    }

    private static (Resource Run, ResourceSet Set) Load(string yaml)
    {
        var set = new ResourceSet { All = [.. ResourceLoader.Load("r.yaml", yaml, new DiagnosticBag())] };
        return (set.All.Single(), set);
    }

    [Fact(Timeout = 10_000)]
    public async Task ResolveAsync_TwoRefsToOneDocument_FetchesItOnce()
    {
        var resolver = new CountingResolver(_ => System.Threading.Tasks.Task.FromResult(new ResolvedDocument("https://x/t.yaml", Task)));
        var (run, set) = Load(TwoRefsToOneUrl);
        var bag = new DiagnosticBag();
        var resolved = await new RemoteResolution([resolver], TimeSpan.FromMinutes(1), TimeProvider.System)
            .ResolveAsync(run, set, [], new ResourceSetSecrets(set), bag, cancellationToken: TestContext.Current.CancellationToken);
        Assert.False(bag.HasErrors, string.Join("\n", bag.Items));
        Assert.Equal(1, resolver.Calls);
        Assert.Single(resolved.Fetched);
        Assert.All(((PipelineRun)resolved.Run).Spec.PipelineSpec!.Tasks, t => Assert.NotNull(t.TaskSpec));
    }

    [Fact(Timeout = 10_000)]
    public async Task ResolveAsync_KnownDocuments_AreUsedWithoutFetching()
    {
        var resolver = new CountingResolver(_ => throw new InvalidOperationException("must not fetch"));
        var (run, set) = Load(TwoRefsToOneUrl);
        var first = await new RemoteResolution([new CountingResolver(_ => System.Threading.Tasks.Task.FromResult(new ResolvedDocument("u", Task)))], TimeSpan.FromMinutes(1), TimeProvider.System)
            .ResolveAsync(run, set, [], new ResourceSetSecrets(set), new DiagnosticBag(), cancellationToken: TestContext.Current.CancellationToken);
        var bag = new DiagnosticBag();
        var again = await new RemoteResolution([resolver], TimeSpan.FromMinutes(1), TimeProvider.System)
            .ResolveAsync(run, set, [], new ResourceSetSecrets(set), bag, first.Fetched, TestContext.Current.CancellationToken);
        Assert.False(bag.HasErrors, string.Join("\n", bag.Items));
        Assert.Equal(0, resolver.Calls);
        Assert.Empty(again.Fetched);
    }

    [Fact(Timeout = 10_000)]
    public async Task ResolveAsync_ResolverSlowerThanTheTimeout_FailsNamingResolverAndParams()
    {
        var time = new FakeTimeProvider();
        var started = new TaskCompletionSource();
        var resolver = new CountingResolver(async token =>
        {
            started.TrySetResult();
            await System.Threading.Tasks.Task.Delay(Timeout.Infinite, token);
            throw new InvalidOperationException("unreachable");
        });
        var (run, set) = Load(TwoRefsToOneUrl);
        var bag = new DiagnosticBag();
        var resolving = new RemoteResolution([resolver], TimeSpan.FromMinutes(1), time)
            .ResolveAsync(run, set, [], new ResourceSetSecrets(set), bag, cancellationToken: TestContext.Current.CancellationToken);
        await started.Task;
        time.Advance(TimeSpan.FromMinutes(1));
        await resolving;
        var error = Assert.Single(bag.Items);
        Assert.Equal("r.yaml", error.Location.File);
        Assert.Contains("http resolver (url=https://x/t.yaml): timed out after 60s", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 10_000)]
    public async Task ResolveAsync_ResolverNotAvailable_SaysWhichAreAvailable()
    {
        var (run, set) = Load("apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {name: r}\nspec:\n  taskRef: {resolver: bundles, params: [{name: bundle, value: r/x}, {name: name, value: t}, {name: kind, value: task}]}\n");
        var bag = new DiagnosticBag();
        await new RemoteResolution([new CountingResolver(_ => throw new InvalidOperationException())], TimeSpan.FromMinutes(1), TimeProvider.System)
            .ResolveAsync(run, set, [], new ResourceSetSecrets(set), bag, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Contains("the bundles resolver is not available in Mothership (it has http, and cluster)", Assert.Single(bag.Items).Message, StringComparison.Ordinal);
    }
}
