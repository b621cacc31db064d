using System.Text;
using k8s;
using k8s.Models;
using Mothership.Engine.Execution;
using Mothership.Executors.Kubernetes;
using Mothership.Model.Tekton;
using Mothership.Testing.Kubernetes;

namespace Mothership.Executors.Contract.Tests;

/// <summary>The Kubernetes executor against the fake API server (real HTTP, the wire format, containers as processes).</summary>
public sealed class KubernetesHarness : IExecutorHarness
{
    private readonly List<KubernetesTaskExecutor> _executors = [];
    private FakeKubernetesApi? _api;

    private FakeKubernetesApi Api => _api ?? throw new InvalidOperationException("call StartAsync first");

    public async Task StartAsync(CancellationToken cancellationToken) =>
        _api = await FakeKubernetesApi.StartAsync(new FakeKubernetesApiOptions { BookmarkInterval = TimeSpan.FromMilliseconds(200) }, cancellationToken);

    public ITaskExecutor Executor(ResultLimit? limit = null)
    {
        var options = limit switch
        {
            null => new KubernetesExecutorOptions { Namespace = "default" },
            { Kind: ResultLimitKind.PerResult } => new KubernetesExecutorOptions { Namespace = "default", ResultsFrom = ResultsFrom.SidecarLogs, MaxResultSize = limit.Bytes },
            { Kind: ResultLimitKind.Total } => new KubernetesExecutorOptions { Namespace = "default", MaxResultBytes = limit.Bytes },
            _ => new KubernetesExecutorOptions { Namespace = "default", MaxResultBytes = int.MaxValue },
        };
        var executor = new KubernetesTaskExecutor(Api.CreateClient(), options);
        _executors.Add(executor);
        return executor;
    }

    /// <summary>As <c>kubectl create -f</c>: the ConfigMaps and Secrets the files carry.</summary>
    public async Task ProvideAsync(ResourceSet resources, CancellationToken cancellationToken)
    {
        using var client = Api.CreateClient();
        foreach (var data in resources.ConfigMaps)
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = data.Metadata.Name }, Data = data.Data.ToDictionary() }, "default", cancellationToken: cancellationToken);
        }

        foreach (var data in resources.Secrets)
        {
            await client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
            {
                Metadata = new V1ObjectMeta { Name = data.Metadata.Name },
                Data = data.Data.ToDictionary(kv => kv.Key, kv => Encoding.UTF8.GetBytes(kv.Value)),
            }, "default", cancellationToken: cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var executor in _executors)
        {
            await executor.DisposeAsync();
        }

        if (_api is not null)
        {
            await _api.DisposeAsync();
        }
    }
}
