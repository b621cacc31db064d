using System.Collections.Immutable;
using Mothership.Server.Execution;
using Mothership.Store;

namespace Mothership.Server.Tests.Execution;

public sealed class UnfinishedRunRoutesTests : IAsyncDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mothership-routes-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync()
    {
        try
        {
            _dir.Delete(recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still close its file; the OS cleans temp.
        }

        return ValueTask.CompletedTask;
    }

    private static async Task AddAsync(IRunStore store, string uid, RunPhase phase, string? site, string annotations)
    {
        var at = TimeProvider.System.GetUtcNow();
        await store.CreateRunAsync(new RunRecord
        {
            Uid = uid, Kind = "PipelineRun", Name = $"deploy-{uid}", Pipeline = "deploy", Phase = phase,
            Labels = site is null ? ImmutableSortedDictionary<string, string>.Empty : ImmutableSortedDictionary<string, string>.Empty.Add("mothership.io/site", site),
            Status = phase == RunPhase.Finished ? "True" : "Unknown", Reason = phase == RunPhase.Finished ? "Succeeded" : "Running",
            CreatedAt = at, StartedAt = at, CompletedAt = phase == RunPhase.Finished ? at : null,
            Manifest = $"""
                apiVersion: tekton.dev/v1
                kind: PipelineRun
                metadata:
                  name: deploy-{uid}
                  annotations: {annotations}
                spec:
                  pipelineSpec:
                    tasks:
                      - name: t
                        taskSpec:
                          steps: [{"{"}name: s, image: busybox, script: "true"{"}"}]
                """,
        }, "test", Ct);
    }

    [Fact(Timeout = 30_000)]
    public async Task ListAsync_UnfinishedDeploysInClusters_EachClusterOnceFinishedAndLocalLeftOut()
    {
        await using var store = RunStoreFactory.Open($"sqlite:{Path.Combine(_dir.FullName, "runs.db")}", TimeProvider.System);
        await store.MigrateAsync(Ct);
        const string Eu = "{mothership.io/executor: kubernetes, mothership.io/cluster-context: eu, mothership.io/cluster-namespace: deploys}";
        await AddAsync(store, "a", RunPhase.Running, "eu1", Eu);
        await AddAsync(store, "b", RunPhase.Queued, "eu2", Eu);
        await AddAsync(store, "c", RunPhase.Pending, "us1",
            "{mothership.io/executor: kubernetes, mothership.io/cluster-context: us, mothership.io/cluster-kubeconfig: us.yaml, mothership.io/cluster-namespace: deploys}");
        await AddAsync(store, "d", RunPhase.Finished, "kr1", "{mothership.io/executor: kubernetes, mothership.io/cluster-context: kr, mothership.io/cluster-namespace: deploys}");
        await AddAsync(store, "e", RunPhase.Running, "loc1", "{mothership.io/executor: local}");
        await AddAsync(store, "f", RunPhase.Running, null, "{}");

        var routes = await UnfinishedRunRoutes.ListAsync(store, Ct);

        Assert.Equal(
            [new ExecutorRoute("kubernetes", null, "eu", "deploys"), new ExecutorRoute("kubernetes", "us.yaml", "us", "deploys")],
            routes.OrderBy(r => r.Context, StringComparer.Ordinal));
    }
}
