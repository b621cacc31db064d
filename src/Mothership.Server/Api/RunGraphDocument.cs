using System.Buffers;
using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mothership.Server.Api;

/// <summary>One node of a run's graph: its task's name and its JSON, encoded once.</summary>
public sealed record RunGraphNode(string Name, byte[] Json);

/// <summary>
/// A PipelineRun's graph as <see cref="RunGraph.Build"/> makes it: each node's JSON encoded once (a
/// watch compares them byte for byte to send only what changed), the critical path, and the whole
/// document as <c>GET …/graph</c> serves it:
/// <c>{"nodes": [...], "edges": [{"from", "to", "kind"}], "criticalPath": [...]}</c>.
/// </summary>
public sealed class RunGraphDocument
{
    public required ImmutableArray<RunGraphNode> Nodes { get; init; }

    public required ImmutableArray<string> CriticalPath { get; init; }

    /// <summary>The whole document, UTF-8 JSON.</summary>
    public required byte[] Bytes { get; init; }

    /// <summary>The document as a node (tests, the local progress view).</summary>
    public JsonObject ToJsonObject() => JsonNode.Parse(Bytes)!.AsObject();

    /// <summary>What a watch sends when some nodes changed: <c>{"nodes": [those nodes], "criticalPath": [...]}</c>.</summary>
    public byte[] Changes(IEnumerable<RunGraphNode> changed)
    {
        ArgumentNullException.ThrowIfNull(changed);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            WriteNodes(writer, changed);
            WriteCriticalPath(writer, CriticalPath);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    internal static void WriteNodes(Utf8JsonWriter writer, IEnumerable<RunGraphNode> nodes)
    {
        writer.WriteStartArray("nodes");
        foreach (var node in nodes)
        {
            writer.WriteRawValue(node.Json, skipInputValidation: true);
        }

        writer.WriteEndArray();
    }

    internal static void WriteCriticalPath(Utf8JsonWriter writer, IEnumerable<string> path)
    {
        writer.WriteStartArray("criticalPath");
        foreach (var name in path)
        {
            writer.WriteStringValue(name);
        }

        writer.WriteEndArray();
    }
}
