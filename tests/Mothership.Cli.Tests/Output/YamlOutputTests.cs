using System.Text.Json.Nodes;
using Mothership.Cli.Output;
using YamlDotNet.RepresentationModel;

namespace Mothership.Cli.Tests.Output;

/// <summary><c>-o yaml</c> prints YAML, not JSON (issue 20, 4), and reads back as the same values.</summary>
public class YamlOutputTests
{
    [Fact]
    public void Of_RunObject_BlockYamlWhoseStringsStayStrings()
    {
        var json = JsonNode.Parse("""
            {"kind": "PipelineRun", "metadata": {"name": "r", "labels": {}}, "spec": {"params": [{"name": "n", "value": "3"}, {"name": "b", "value": "true"}]},
             "status": {"conditions": [{"status": "True", "reason": "Completed", "message": "a: b\nc"}], "startTime": "2026-12-05T06:07:13Z",
                        "count": 3, "ok": false, "none": null, "empty": ""}}
            """);

        var yaml = YamlOutput.Of(json);

        Assert.StartsWith("kind: PipelineRun\nmetadata:\n  name: r\n", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("{\"", yaml, StringComparison.Ordinal);
        Assert.Contains("status: \"True\"", yaml, StringComparison.Ordinal);
        Assert.Contains("value: \"3\"", yaml, StringComparison.Ordinal);
        Assert.Contains("startTime: \"2026-12-05T06:07:13Z\"", yaml, StringComparison.Ordinal);
        Assert.Contains("count: 3\n", yaml, StringComparison.Ordinal);
        Assert.Contains("ok: false\n", yaml, StringComparison.Ordinal);
        Assert.False(yaml.EndsWith("...\n", StringComparison.Ordinal));

        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var condition = (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)root["status"])["conditions"])[0];
        Assert.Equal("a: b\nc", ((YamlScalarNode)condition["message"]).Value);
    }
}
