using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using k8s.Models;
using Mothership.Executors.Kubernetes.Pods;
using Mothership.Testing.Kubernetes;

namespace Mothership.Executors.Kubernetes.Tests;

/// <summary><c>mship server --executor kubernetes</c> as a process, against the fake API server.</summary>
public sealed class ServerOnKubernetesTests : IAsyncLifetime
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mothership-kube-server-");
    private FakeKubernetesApi _api = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() =>
        _api = await FakeKubernetesApi.StartAsync(new FakeKubernetesApiOptions { BookmarkInterval = TimeSpan.FromMilliseconds(200) }, Ct);

    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        _dir.Delete(recursive: true);
    }

    [Fact(Timeout = 120_000)]
    public async Task PipelineRun_ClaimTemplateAndPodTemplate_RunAsPodsAndLeaveNothingBehind()
    {
        // What a server that died left: a claim of a run the store never heard of; and a claim of
        // a `mship run` in the same namespace, which is not the server's to sweep.
        V1PersistentVolumeClaim Claim(string name, string instance) => new()
        {
            ApiVersion = "v1",
            Kind = "PersistentVolumeClaim",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = "default",
                Labels = new Dictionary<string, string> { [Mothership.Model.Tekton.Vocabulary.MothershipLabels.ManagedBy] = "mothership", [Mothership.Model.Tekton.Vocabulary.MothershipLabels.Instance] = instance, [Mothership.Model.Tekton.Vocabulary.MothershipLabels.RunUid] = "run-of-" + name },
            },
            Spec = new V1PersistentVolumeClaimSpec { AccessModes = ["ReadWriteOnce"] },
        };
        _api.Seed(Claim("pvc-left-behind", "mothership"));
        _api.Seed(Claim("pvc-of-a-cli-run", "mship-run"));
        await using var server = await ServerProcess.StartAsync(_dir.FullName, extraArgs: ["--executor", "kubernetes", "--kubeconfig", _api.KubeconfigPath, "--namespace", "default"], cancellationToken: Ct);
        await WaitAsync(() => _api.PersistentVolumeClaims.All(c => c.Metadata.Name != "pvc-left-behind"), server);

        using var create = new StringContent($$$$"""
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata: {name: cache-run}
            spec:
              taskRunTemplate:
                podTemplate:
                  nodeSelector: {pool: builders}
                  env: [{name: GREETING, value: from-template}]
              workspaces:
                - name: cache
                  volumeClaimTemplate:
                    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
              pipelineSpec:
                workspaces: [{name: cache}]
                tasks:
                  - name: fill
                    workspaces: [{name: cache}]
                    taskSpec:
                      workspaces: [{name: cache}]
                      steps:
                        - {name: write, image: alpine, script: '{{{{StepGate.WaitFor("$(workspaces.cache.path)/go")}}}}; echo "$GREETING" > $(workspaces.cache.path)/greeting'}
                  - name: read
                    runAfter: [fill]
                    workspaces: [{name: cache}]
                    taskSpec:
                      workspaces: [{name: cache}]
                      results: [{name: greeting}]
                      steps:
                        - {name: read, image: alpine, script: 'printf %s "$(cat $(workspaces.cache.path)/greeting)" > $(results.greeting.path)'}
                results:
                  - {name: greeting, value: $(tasks.read.results.greeting)}
            """, Encoding.UTF8, "application/yaml");
        using var created = await server.Http.PostAsync("api/v1/pipelineruns", create, Ct);
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync(Ct));

        // The pod template reaches the pod.
        var pod = await _api.WaitForPodAsync(await FirstPodNameAsync(server), _ => true, cancellationToken: Ct);
        Assert.Equal("builders", pod.Spec.NodeSelector["pool"]);
        // fill's step waited for a gate in the run's claim, so its pod was still there to be read: open it.
        var claim = _api.PersistentVolumeClaims.Single(c => c.Metadata.Name != "pvc-of-a-cli-run").Metadata.Name;
        await File.WriteAllTextAsync(Path.Combine(_api.PersistentVolumeClaimDirectory(claim)!, "go"), "", Ct);

        var run = await FinishedAsync(server, "cache-run");
        Assert.True((string?)run["status"]!["conditions"]![0]!["reason"] == "Succeeded", run.ToJsonString());
        Assert.Equal("from-template", (string?)run["status"]!["results"]![0]!["value"]);
        Assert.Equal("builders", (string?)run["spec"]!["taskRunTemplate"]!["podTemplate"]!["nodeSelector"]!["pool"]);

        // The claim made for the run was shared by both tasks (the greeting went through it); it went with the run.
        Assert.Contains(_api.Requests, r => r.Method == "POST" && r.Resource == "persistentvolumeclaims");
        await WaitAsync(() => _api.PersistentVolumeClaims.Select(c => c.Metadata.Name).SequenceEqual(["pvc-of-a-cli-run"]) && _api.Pods.Count == 0, server);
    }

    private async Task<string> FirstPodNameAsync(ServerProcess server)
    {
        var clock = Stopwatch.StartNew();
        V1Pod? pod;
        while ((pod = _api.Pods.FirstOrDefault()) is null)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"no pod was created in 30 s; server:\n{server.Output}");
            await Task.Delay(20, Ct);
        }

        return pod.Metadata.Name;
    }

    private static async Task<JsonNode> FinishedAsync(ServerProcess server, string name)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var run = JsonNode.Parse(await server.Http.GetStringAsync($"api/v1/pipelineruns/{name}", Ct))!;
            if ((string?)run["status"]?["conditions"]?[0]?["status"] is "True" or "False")
            {
                return run;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"{name} did not finish in 60 s: {run.ToJsonString()}\nserver:\n{server.Output}");
            await Task.Delay(100, Ct);
        }
    }

    private static async Task WaitAsync(Func<bool> condition, ServerProcess server)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"condition not met in 30 s; server:\n{server.Output}");
            await Task.Delay(50, Ct);
        }
    }
}
