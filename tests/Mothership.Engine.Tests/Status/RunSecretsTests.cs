using System.Text.Json.Nodes;
using Mothership.Engine.Status;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Tests.Status;

public sealed class RunSecretsTests
{
    [Fact]
    public void Masker_SecretsAndSecretLookingParams_MaskEveryStringOfARunObject()
    {
        var bag = new DiagnosticBag();
        var resources = new ResourceSet
        {
            All = [.. ResourceLoader.Load("r.yaml", """
                apiVersion: v1
                kind: Secret
                metadata: {name: db}
                stringData: {password: hunter2}
                ---
                apiVersion: tekton.dev/v1
                kind: TaskRun
                metadata: {name: tr}
                spec:
                  params: [{name: api-token, value: tok-123}]
                  taskSpec:
                    params: [{name: api-token}, {name: db-key, default: key-456}]
                    steps: [{image: i, script: x}]
                """, bag)],
        };
        Assert.False(bag.HasErrors);
        var masker = RunSecrets.Masker(resources, resources.TaskRuns.Single());
        var obj = new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["results"] = new JsonArray(new JsonObject { ["value"] = "pw hunter2" }, new JsonObject { ["value"] = new JsonArray("tok-123", 5) }),
                ["message"] = "key-456 and more",
            },
        };

        masker.Mask(obj);

        Assert.Equal("""{"status":{"results":[{"value":"pw ***"},{"value":["***",5]}],"message":"*** and more"}}""", obj.ToJsonString());
    }
}
