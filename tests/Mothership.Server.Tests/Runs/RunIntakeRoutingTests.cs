using Mothership.Engine.Resolution.Remote;
using Mothership.Model.Tekton;
using Mothership.Server.Runs;
using Mothership.Store;

namespace Mothership.Server.Tests.Runs;

/// <summary>The annotations that route a run's TaskRuns to an executor and a cluster: the server's site deploys write them, a submitted run may not.</summary>
public sealed class RunIntakeRoutingTests : IAsyncLifetime
{
    private const string Body = """
        apiVersion: tekton.dev/v1
        kind: TaskRun
        metadata:
          name: r
          annotations: {mothership.io/executor: kubernetes, mothership.io/cluster-context: prod}
        spec:
          taskSpec: {steps: [{name: s, image: alpine, script: echo hi}]}
        """;

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mship-intake-routing-");
    private IRunStore _store = null!;
    private RunIntake _intake = null!;

    public async ValueTask InitializeAsync()
    {
        _store = RunStoreFactory.Open($"sqlite:{Path.Combine(_dir.FullName, "runs.db")}", TimeProvider.System);
        await _store.MigrateAsync(TestContext.Current.CancellationToken);
        _intake = new RunIntake(_store, TimeProvider.System, new RemoteResolution([], TimeSpan.FromMinutes(1), TimeProvider.System));
    }

    public ValueTask DisposeAsync()
    {
        (_store as IDisposable)?.Dispose();
        _dir.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact(Timeout = 30_000)]
    public async Task CreateAsync_SubmittedRunWithARoutingAnnotation_RefusedNamingIt()
    {
        var result = await _intake.CreateAsync(nameof(TaskRun), Body, "alice", TestContext.Current.CancellationToken);

        Assert.Null(result.Run);
        var error = Assert.Single(result.Diagnostics);
        Assert.Equal("body:1:1", error.Location.ToString());
        Assert.Contains("annotation 'mothership.io/executor' is reserved for the server's site deploys", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task PrepareAsync_RoutedByTheServer_Accepted()
    {
        var result = await _intake.PrepareAsync(nameof(TaskRun), Body, "server", TestContext.Current.CancellationToken, routed: true);

        Assert.True(result.Run is not null, string.Join("\n", result.Diagnostics));
        Assert.Equal("prod", RunManifest.Load(result.Run).Run.Metadata.Annotations["mothership.io/cluster-context"]);
    }
}
