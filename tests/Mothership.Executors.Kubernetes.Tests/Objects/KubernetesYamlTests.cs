using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Mothership.Executors.Kubernetes.Tests.Objects;

/// <summary>YAML typed as kubectl types it before sending (sigs.k8s.io/yaml, go-yaml v2).</summary>
public sealed class KubernetesYamlTests
{
    private static JsonObject Typed(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return KubernetesYaml.Typed(stream.Documents[0].RootNode)!.AsObject();
    }

    [Theory]
    [InlineData("replicas: 2", "{\"replicas\":2}")]
    [InlineData("port: -8080", "{\"port\":-8080}")]
    [InlineData("mode: 0644", "{\"mode\":420}")]
    [InlineData("mode: 0o644", "{\"mode\":420}")]
    [InlineData("mask: 0xff", "{\"mask\":255}")]
    [InlineData("big: 1_000", "{\"big\":1000}")]
    [InlineData("ratio: 1.5", "{\"ratio\":1.5}")]
    [InlineData("exp: 1e3", "{\"exp\":1000}")]
    [InlineData("on: yes", "{\"on\":true}")]
    [InlineData("flag: Off", "{\"flag\":false}")]
    [InlineData("a: ~", "{\"a\":null}")]
    [InlineData("a:", "{\"a\":null}")]
    [InlineData("quoted: \"8080\"", "{\"quoted\":\"8080\"}")]
    [InlineData("single: 'true'", "{\"single\":\"true\"}")]
    [InlineData("version: 1.2.3", "{\"version\":\"1.2.3\"}")]
    [InlineData("inf: .inf", "{\"inf\":\".inf\"}")]
    [InlineData("image: nginx:1.25", "{\"image\":\"nginx:1.25\"}")]
    [InlineData("octalish: 089", "{\"octalish\":89}")]
    [InlineData("1: one", "{\"1\":\"one\"}")]
    public void Typed_PlainScalars_AsKubectlTypesThem(string yaml, string json) =>
        Assert.Equal(json, Typed(yaml).ToJsonString());

    [Fact]
    public void Typed_MergeKeysAndAliases_Expanded()
    {
        var json = Typed("""
            base: &base {replicas: 1, image: a}
            one:
              <<: *base
              replicas: 3
            list: [*base]
            """);

        Assert.Equal("{\"image\":\"a\",\"replicas\":3}", json["one"]!.ToJsonString());
        Assert.Equal("[{\"replicas\":1,\"image\":\"a\"}]", json["list"]!.ToJsonString());
    }
}
