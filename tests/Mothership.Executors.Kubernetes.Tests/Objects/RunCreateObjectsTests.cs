using k8s.Models;
using Mothership.Testing;
using Mothership.Testing.Kubernetes;

namespace Mothership.Executors.Kubernetes.Tests.Objects;

/// <summary>
/// <c>mship run --executor kubernetes --create-objects</c>: the files' Deployments and Services
/// created before the run, as <c>kubectl create -f</c> would; without the flag only warned about.
/// </summary>
public sealed class RunCreateObjectsTests : IAsyncLifetime
{
    private const string Yaml = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: echo
        spec:
          replicas: 1
          selector: {matchLabels: {app: echo}}
          template:
            metadata: {labels: {app: echo}}
            spec:
              containers: [{name: echo, image: docker.io/hashicorp/http-echo, ports: [{containerPort: 5678}]}]
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: echo
        spec:
          selector: {app: echo}
          ports: [{port: 80, targetPort: 5678}]
        ---
        apiVersion: tekton.dev/v1beta1
        kind: TaskRun
        metadata:
          name: call
        spec:
          taskSpec:
            steps:
            - image: mirror.gcr.io/ubuntu
              script: echo calling echo
        """;

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mship-create-objects-");
    private FakeKubernetesApi _api = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string File => Path.Combine(_dir.FullName, "run.yaml");

    public async ValueTask InitializeAsync()
    {
        _api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);
        await System.IO.File.WriteAllTextAsync(File, Yaml, Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        _dir.Delete(recursive: true);
    }

    [Fact(Timeout = 120_000)]
    public async Task Run_CreateObjects_DeploymentAndServiceCreatedBeforeTheRun()
    {
        var r = await MshipProcess.RunAsync(["run", "-f", File, "--create-objects", .. _api.MshipRunArgs()], _dir.FullName, cancellationToken: Ct);

        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("created in namespace default: Deployment/echo, Service/echo", r.Stdout, StringComparison.Ordinal);
        Assert.Equal(80, Assert.Single(_api.Get<V1Service>("echo")!.Spec.Ports).Port);
        Assert.NotNull(_api.Get<V1Deployment>("echo"));
        var firstPod = _api.Requests.ToList().FindIndex(q => q is { Method: "POST", Resource: "pods" });
        var deployment = _api.Requests.ToList().FindIndex(q => q is { Method: "POST", Resource: "deployments" });
        Assert.InRange(deployment, 0, firstPod);

        // Run again: what the first run created is there and left alone.
        var again = await MshipProcess.RunAsync(["run", "-f", File, "--create-objects", .. _api.MshipRunArgs()], _dir.FullName, cancellationToken: Ct);
        Assert.True(again.ExitCode == 0, again.Stdout + again.Stderr);
        Assert.Contains("already in namespace default, left as they are: Deployment/echo, Service/echo", again.Stdout, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Run_WithoutCreateObjects_WarnedAndNotCreated()
    {
        var r = await MshipProcess.RunAsync(["run", "-f", File, .. _api.MshipRunArgs()], _dir.FullName, cancellationToken: Ct);

        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("Deployment 'echo' (apps/v1) is not a Tekton resource: ignored by the local executor; created by the Kubernetes executor only with --create-objects", r.Stderr, StringComparison.Ordinal);
        Assert.Null(_api.Get<V1Deployment>("echo"));
        Assert.DoesNotContain(_api.Requests, q => q.Resource is "deployments" or "services");
    }

    [Fact(Timeout = 120_000)]
    public async Task Run_CreateObjectsWithAKindTheClusterLacks_Exit2NamingFileAndLineBeforeAnyPod()
    {
        await System.IO.File.AppendAllTextAsync(File, "\n---\napiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: echo}\n", Ct);

        var r = await MshipProcess.RunAsync(["run", "-f", File, "--create-objects", .. _api.MshipRunArgs()], _dir.FullName, cancellationToken: Ct);

        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"mship run: {File}:32:1: no matches for kind \"ServiceMonitor\" in version \"monitoring.coreos.com/v1\" on the cluster", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(_api.Requests, q => q.Method == "POST");
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_CreateObjectsOnTheLocalExecutor_Exit2()
    {
        var r = await MshipProcess.RunAsync(["run", "-f", File, "--create-objects"], _dir.FullName, cancellationToken: Ct);

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--create-objects needs --executor kubernetes", r.Stderr, StringComparison.Ordinal);
    }
}
