using Mothership.Engine.Resolution.Remote;
using Mothership.Model.Tekton;
using Mothership.Server.Runs;
using Mothership.Store;

namespace Mothership.Server.Tests.Runs;

/// <summary>The run intake with remote refs: resolved once, frozen into the manifest, read back without fetching.</summary>
public sealed class RunIntakeResolutionTests : IAsyncLifetime
{
    private const string Task = "apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: fetched}\nspec: {steps: [{name: s, image: alpine, script: echo fetched}]}\n";

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mship-intake-");
    private readonly FakeHttpResolver _resolver = new();
    private IRunStore _store = null!;
    private RunIntake _intake = null!;

    private sealed class FakeHttpResolver : IRemoteResolver
    {
        public int Calls;

        public string Name => "http";

        public Task<ResolvedDocument> ResolveAsync(ResolutionRequest request, IResolutionSecrets secrets, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            return System.Threading.Tasks.Task.FromResult(new ResolvedDocument(request.Params["url"], Task));
        }
    }

    public async ValueTask InitializeAsync()
    {
        _store = RunStoreFactory.Open($"sqlite:{Path.Combine(_dir.FullName, "runs.db")}", TimeProvider.System);
        await _store.MigrateAsync(TestContext.Current.CancellationToken);
        _intake = new RunIntake(_store, TimeProvider.System, new RemoteResolution([_resolver], TimeSpan.FromMinutes(1), TimeProvider.System));
    }

    [Fact(Timeout = 30_000)]
    public async Task CreateAsync_HttpRef_FreezesWhatWasFetchedSoTheManifestRunsItWithoutFetching()
    {
        var result = await _intake.CreateAsync("TaskRun", """
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata: {name: r}
            spec:
              taskRef: {resolver: http, params: [{name: url, value: "https://example.com/t.yaml"}]}
            """, "alice", TestContext.Current.CancellationToken);
        var record = Assert.IsType<RunRecord>(result.Run, exactMatch: false);
        Assert.Equal(1, _resolver.Calls);
        Assert.Contains(FrozenResolutions.KeyAnnotation, record.Manifest, StringComparison.Ordinal);

        var manifest = RunManifest.Load(record);
        Assert.Empty(manifest.Errors);
        var spec = ((TaskRun)manifest.Run).Spec.TaskSpec;
        Assert.NotNull(spec);
        Assert.Equal("echo fetched", spec.Steps[0].Script);
        Assert.Equal("https://example.com/t.yaml", spec.Steps[0].Location.File);

        var rerun = await _intake.RerunAsync(record, "alice", TestContext.Current.CancellationToken);
        Assert.NotNull(rerun);
        Assert.Equal("echo fetched", ((TaskRun)RunManifest.Load(rerun).Run).Spec.TaskSpec!.Steps[0].Script);
        Assert.Equal(1, _resolver.Calls);
    }

    [Fact(Timeout = 30_000)]
    public async Task CreateAsync_ClusterRef_TakesTheTaskAppliedToTheServer()
    {
        await _store.ApplyResourceAsync(new StoredResource { Kind = "Task", Name = "applied", Document = Task.Replace("fetched", "applied", StringComparison.Ordinal) }, "alice", TestContext.Current.CancellationToken);
        var result = await _intake.CreateAsync("TaskRun", """
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata: {name: c}
            spec:
              taskRef:
                resolver: cluster
                params: [{name: kind, value: task}, {name: name, value: applied}, {name: namespace, value: default}]
            """, "alice", TestContext.Current.CancellationToken);
        Assert.True(result.Run is not null, string.Join("\n", result.Diagnostics));
        var manifest = RunManifest.Load(result.Run);
        Assert.Empty(manifest.Errors);
        Assert.Equal("applied", ((TaskRun)manifest.Run).Spec.TaskRef!.Name);
        Assert.NotNull(manifest.Resources.FindTask("applied"));
        Assert.Equal(0, _resolver.Calls);
    }

    [Fact(Timeout = 30_000)]
    public async Task CreateAsync_ClusterRefToNothing_IsRefusedWithTheName()
    {
        var result = await _intake.CreateAsync("TaskRun", """
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata: {name: n}
            spec:
              taskRef:
                resolver: cluster
                params: [{name: kind, value: task}, {name: name, value: nowhere}]
            """, "alice", TestContext.Current.CancellationToken);
        Assert.Null(result.Run);
        Assert.Contains(result.Diagnostics, d => d.Message.Contains("'nowhere'", StringComparison.Ordinal));
    }

    public ValueTask DisposeAsync()
    {
        (_store as IDisposable)?.Dispose();
        _dir.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }
}
