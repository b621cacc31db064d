using k8s.Models;
using Mothership.Testing.Kubernetes;

namespace Mothership.Executors.Kubernetes.Tests.Objects;

/// <summary>
/// The objects run files carry beside their Tekton resources, created on the fake API server,
/// which checks each against Kubernetes' schemas as the real one does.
/// </summary>
public sealed class ClusterObjectsTests : IAsyncLifetime
{
    private const string File = "/work/tests/registry.yaml";

    /// <summary>The Catalog's test shape: a registry the Task under test pushes to, and its data.</summary>
    private const string Registry = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: registry
        spec:
          replicas: 1
          selector:
            matchLabels: {app: registry}
          template:
            metadata:
              labels: {app: registry}
            spec:
              containers:
              - name: registry
                image: docker.io/registry:2
                ports:
                - containerPort: 5000
                volumeMounts:
                - {name: config, mountPath: /etc/docker/registry}
              volumes:
              - name: config
                configMap: {name: registry-config, defaultMode: 0644}
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: registry
        spec:
          selector: {app: registry}
          ports:
          - port: 5000
            targetPort: 5000
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: registry-config
        data:
          port: 5000
        ---
        apiVersion: tekton.dev/v1
        kind: Task
        metadata:
          name: push
        spec:
          steps:
          - image: alpine
            script: echo
        """;

    private FakeKubernetesApi _api = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _api = await FakeKubernetesApi.StartAsync(cancellationToken: Ct);

    public async ValueTask DisposeAsync() => await _api.DisposeAsync();

    private Task<ClusterObjectsOutcome> CreateAsync(string yaml, bool others) =>
        ClusterObjects.CreateAsync(_api.CreateClient(), "default", [(File, yaml)], others, Ct);

    [Fact(Timeout = 60_000)]
    public async Task CreateAsync_OthersAsked_DeploymentAndServiceCreatedTypedAsKubectlSendsThem()
    {
        var outcome = await CreateAsync(Registry, others: true);

        Assert.Equal(["Deployment/registry", "Service/registry", "ConfigMap/registry-config"], outcome.Created);
        Assert.Empty(outcome.Existing);
        Assert.Empty(outcome.Skipped);
        var deployment = _api.Get<V1Deployment>("registry");
        Assert.NotNull(deployment);
        Assert.Equal(1, deployment.Spec.Replicas);
        Assert.Equal(420, deployment.Spec.Template.Spec.Volumes.Single().ConfigMap.DefaultMode);
        Assert.Equal(5000, Assert.Single(deployment.Spec.Template.Spec.Containers.Single().Ports).ContainerPort);
        Assert.Equal(5000, Assert.Single(_api.Get<V1Service>("registry")!.Spec.Ports).Port);
        // The run's inputs keep their values as text, as a ConfigMap holds them.
        Assert.Equal("5000", _api.Get<V1ConfigMap>("registry-config")!.Data["port"]);
        Assert.Contains(_api.Requests, r => r is { Method: "POST", Path: "/apis/apps/v1/namespaces/default/deployments" });
        Assert.Contains(_api.Requests, r => r is { Method: "POST", Path: "/api/v1/namespaces/default/services" });
        Assert.Empty(_api.Errors);
    }

    [Fact(Timeout = 60_000)]
    public async Task CreateAsync_OthersNotAsked_OnlyTheRunsInputs()
    {
        var outcome = await CreateAsync(Registry, others: false);

        Assert.Equal(["ConfigMap/registry-config"], outcome.Created);
        Assert.Null(_api.Get<V1Deployment>("registry"));
        Assert.Null(_api.Get<V1Service>("registry"));
        Assert.DoesNotContain(_api.Requests, r => r.Path.StartsWith("/apis/", StringComparison.Ordinal) || r.Path == "/api/v1");
    }

    [Fact(Timeout = 60_000)]
    public async Task CreateAsync_KindTheClusterLacks_NamesFileLineAndKindAndCreatesNothing()
    {
        var yaml = Registry + """

            ---
            apiVersion: example.com/v1
            kind: Widget
            metadata:
              name: w
            """;

        var e = await Assert.ThrowsAsync<ClusterObjectException>(() => CreateAsync(yaml, others: true));

        Assert.True(e.BadInput);
        Assert.Equal($"{File}:51:1: no matches for kind \"Widget\" in version \"example.com/v1\" on the cluster (is its CustomResourceDefinition installed?)", e.Message);
        Assert.Null(_api.Get<V1Deployment>("registry"));
        Assert.Null(_api.Get<V1ConfigMap>("registry-config"));
    }

    [Fact(Timeout = 60_000)]
    public async Task CreateAsync_KindUnknownInAServedGroup_NamedToo()
    {
        var e = await Assert.ThrowsAsync<ClusterObjectException>(() => CreateAsync("apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\n", others: true));

        Assert.Equal($"{File}:2:1: no matches for kind \"StatefulSet\" in version \"apps/v1\" on the cluster (is its CustomResourceDefinition installed?)", e.Message);
    }

    [Fact(Timeout = 60_000)]
    public async Task CreateAsync_ClusterScopedObject_ReportedNotCreated()
    {
        var outcome = await CreateAsync("apiVersion: v1\nkind: Namespace\nmetadata: {name: tests}\n", others: true);

        Assert.Empty(outcome.Created);
        Assert.Equal(["Namespace/tests is cluster-scoped: a run creates namespaced objects only (create it with kubectl)"], outcome.Skipped);
        Assert.DoesNotContain(_api.Requests, r => r.Method == "POST");
    }

    [Fact(Timeout = 60_000)]
    public async Task CreateAsync_ObjectsAlreadyThere_LeftAsTheyAre()
    {
        _api.Seed(new V1Service { Metadata = new V1ObjectMeta { Name = "registry" }, Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 80 }] } });

        var outcome = await CreateAsync(Registry, others: true);

        Assert.Equal(["Service/registry"], outcome.Existing);
        Assert.Equal(80, Assert.Single(_api.Get<V1Service>("registry")!.Spec.Ports).Port);
    }

    [Fact(Timeout = 60_000)]
    public async Task CreateAsync_FieldOfTheWrongType_TheApiServersMessageWithFileAndLine()
    {
        var yaml = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: two\n  selector: {matchLabels: {app: web}}\n"
            + "  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: nginx}]}\n";

        var e = await Assert.ThrowsAsync<ClusterObjectException>(() => CreateAsync(yaml, others: true));

        Assert.True(e.BadInput);
        Assert.StartsWith($"{File}:2:1: Deployment \"web\" was not created: Deployment \"web\" is invalid: spec.replicas", e.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task CreateAsync_ObjectNamingItsNamespace_CreatedThere()
    {
        var outcome = await CreateAsync("apiVersion: v1\nkind: Service\nmetadata: {name: db, namespace: tests}\nspec: {ports: [{port: 5432}]}\n", others: true);

        Assert.Equal(["Service/db (namespace tests)"], outcome.Created);
        Assert.NotNull(_api.Get<V1Service>("db", "tests"));
    }
}
