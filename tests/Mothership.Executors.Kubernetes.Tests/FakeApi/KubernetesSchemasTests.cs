using System.Text.Json.Nodes;
using k8s.Models;
using Mothership.Testing.Kubernetes.Schemas;

namespace Mothership.Executors.Kubernetes.Tests.FakeApi;

/// <summary>Objects checked against Kubernetes' OpenAPI schemas through the shared node validator, without a server.</summary>
public sealed class KubernetesSchemasTests
{
    private static JsonObject Json(string text) => JsonNode.Parse(text)!.AsObject();

    [Fact(Timeout = 60_000)]
    public void Validate_ValidPodWithoutKindOrApiVersion_HasNoViolations()
    {
        // A client may leave kind and apiVersion out: the API server takes them from the path.
        var violations = KubernetesSchemas.Validate("Pod", Json("""
            {"metadata": {"name": "p", "labels": {"app.kubernetes.io/name": "x"}},
             "spec": {"restartPolicy": "Never", "containers": [{"name": "main", "image": "busybox", "command": ["true"],
               "resources": {"limits": {"cpu": "500m", "memory": 1073741824}}, "ports": [{"containerPort": 80}],
               "readinessProbe": {"httpGet": {"port": "http"}}}]}}
            """));

        Assert.Empty(violations);
    }

    [Fact(Timeout = 60_000)]
    public void Validate_FieldOfTheWrongType_NamesTheFieldAndTheType()
    {
        var violations = KubernetesSchemas.Validate("Pod", Json("""
            {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "main", "image": "busybox", "ports": [{"containerPort": "80"}]}]}}
            """));

        var violation = Assert.Single(violations);
        Assert.Equal(new FieldViolation("spec.containers[0].ports[0].containerPort", "FieldValueTypeInvalid", "Invalid value: \"80\": must be of type integer"), violation);
    }

    [Fact(Timeout = 60_000)]
    public void Validate_MissingRequiredFields_NameEachField()
    {
        var violations = KubernetesSchemas.Validate("Pod", Json("""
            {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "main", "image": "busybox"}, {"image": "busybox", "env": [{"value": "1"}]}]}}
            """));

        Assert.Equal(
            ["spec.containers[1].name: Required value", "spec.containers[1].env[0].name: Required value"],
            violations.Select(v => v.ToString()));
        Assert.All(violations, v => Assert.Equal("FieldValueRequired", v.Reason));
    }

    [Fact(Timeout = 60_000)]
    public void Validate_ValueOutsideAnEnum_ListsTheSupportedValues()
    {
        var violations = KubernetesSchemas.Validate("Pod", Json("""
            {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "main", "image": "busybox", "imagePullPolicy": "Sometimes"}]}}
            """));

        Assert.Equal(
            [new FieldViolation("spec.containers[0].imagePullPolicy", "FieldValueNotSupported", "Unsupported value: \"Sometimes\": supported values: \"Always\", \"IfNotPresent\", \"Never\"")],
            violations);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("PersistentVolumeClaim", """{"metadata": {"name": "c"}, "spec": {"resources": {"requests": {"storage": "1Gx"}}}}""", "spec.resources.requests.storage")]
    [InlineData("Secret", """{"metadata": {"name": "s"}, "data": {"token": "not base64!"}}""", "data.token")]
    [InlineData("ConfigMap", """{"metadata": {"name": "c"}, "data": {"k": 1}}""", "data.k")]
    [InlineData("ServiceAccount", """{"metadata": {"name": "a"}, "automountServiceAccountToken": "yes"}""", "automountServiceAccountToken")]
    [InlineData("Pod", """{"metadata": {"name": "p", "labels": {"app.kubernetes.io/name": 3}}, "spec": {"containers": [{"name": "m"}]}}""", "metadata.labels[app.kubernetes.io/name]")]
    public void Validate_InvalidObjectOfEachKind_NamesTheField(string kind, string json, string field)
    {
        var violations = KubernetesSchemas.Validate(kind, Json(json));

        Assert.Equal([field], violations.Select(v => v.Field));
    }

    [Fact(Timeout = 60_000)]
    public void AssertValid_InvalidModel_ThrowsWithTheApiServersMessage()
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "p" },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "main", Image = "busybox", ImagePullPolicy = "Sometimes" }, new V1Container { Image = "busybox" }] },
        };

        var error = Assert.Throws<KubernetesSchemaException>(() => KubernetesSchemas.AssertValid(pod));

        Assert.Equal(2, error.Violations.Count);
        Assert.StartsWith("Pod \"p\" is invalid: [spec.containers[0].imagePullPolicy: Unsupported value: \"Sometimes\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("spec.containers[1].name: Required value]", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public void AssertValid_ValidModel_DoesNotThrow()
    {
        KubernetesSchemas.AssertValid(new V1Secret { Metadata = new V1ObjectMeta { Name = "s" }, Data = new Dictionary<string, byte[]> { ["k"] = [1, 2, 3] } });
    }

    [Fact(Timeout = 60_000)]
    public async Task Validate_FromManyThreadsAtOnce_EachCallerGetsItsOwnAnswer()
    {
        // One node process answers every caller: answers must go back to the request they belong to.
        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() =>
        {
            var policy = i % 2 == 0 ? "Always" : "Bad" + i;
            var violations = KubernetesSchemas.Validate("Pod", Json($$$"""
                {"metadata": {"name": "p{{{i}}}"}, "spec": {"containers": [{"name": "main", "image": "busybox", "imagePullPolicy": "{{{policy}}}"}]}}
                """));
            return (i, violations);
        }, TestContext.Current.CancellationToken)));

        foreach (var (i, violations) in results)
        {
            if (i % 2 == 0)
            {
                Assert.Empty(violations);
            }
            else
            {
                Assert.StartsWith($"Unsupported value: \"Bad{i}\"", Assert.Single(violations).Message, StringComparison.Ordinal);
            }
        }
    }

    [Fact(Timeout = 60_000)]
    public void Validate_UnknownKind_Throws()
    {
        var error = Assert.Throws<InvalidOperationException>(() => KubernetesSchemas.Validate("StatefulSet", Json("{}")));

        Assert.Contains("no schema for kind StatefulSet", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public void Start_WithoutTheNpmPackages_ThrowsSayingHowToInstallThem()
    {
        var empty = Directory.CreateTempSubdirectory("mothership-no-validator-").FullName;
        try
        {
            var error = Assert.Throws<InvalidOperationException>(() => KubernetesSchemaValidator.Start(empty));

            Assert.Contains("npm ci", error.Message, StringComparison.Ordinal);
            Assert.Contains("Node.js", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }
}
