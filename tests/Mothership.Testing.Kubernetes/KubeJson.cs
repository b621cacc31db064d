using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Mothership.Testing.Kubernetes;

/// <summary>
/// Moves objects between the client library's models and the JSON the fake stores. The models
/// go through <see cref="KubernetesJson"/>, so what is stored and sent is the wire format the
/// real client reads and writes (camelCase, nulls left out, RFC 3339 times).
/// </summary>
internal static class KubeJson
{
    // Go's encoder does not escape non-ASCII text; neither do we, so logs and messages read the same.
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static JsonObject ToNode(object value) => JsonNode.Parse(KubernetesJson.Serialize(value))!.AsObject();

    public static T To<T>(JsonNode node) => KubernetesJson.Deserialize<T>(node);

    /// <summary>
    /// A V1Status as JSON. The client library cannot write V1Status (its converter only reads, a
    /// client never sends one), so the fields are laid out here as the API server writes them.
    /// </summary>
    public static JsonObject Status(V1Status status)
    {
        var node = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = status.Status,
        };
        if (status.Message is not null)
        {
            node["message"] = status.Message;
        }

        if (status.Reason is not null)
        {
            node["reason"] = status.Reason;
        }

        if (status.Details is not null)
        {
            node["details"] = ToNode(status.Details);
        }

        if (status.Code is { } code)
        {
            node["code"] = code;
        }

        return node;
    }

    public static string Write(JsonNode node) => node.ToJsonString(Compact);

    public static JsonObject Clone(JsonObject node) => node.DeepClone().AsObject();

    /// <summary>A metav1.Time as the API server writes it: RFC 3339 in UTC, whole seconds.</summary>
    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A timestamp as the kubelet prefixes log lines with: RFC 3339 in UTC with nanoseconds.</summary>
    public static string NanoTime(DateTimeOffset at)
    {
        // Go's RFC3339Nano: up to nine fraction digits with trailing zeros (and a bare dot) dropped.
        var fraction = (at.UtcTicks % TimeSpan.TicksPerSecond).ToString("0000000", CultureInfo.InvariantCulture).TrimEnd('0');
        var seconds = at.UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss", CultureInfo.InvariantCulture);
        return fraction.Length == 0 ? seconds + "Z" : seconds + "." + fraction + "Z";
    }

    /// <summary>A metav1.Time value for a model: the API server keeps whole seconds only.</summary>
    public static DateTime Seconds(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);

    public static JsonObject Metadata(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject meta)
        {
            return meta;
        }

        meta = [];
        obj["metadata"] = meta;
        return meta;
    }

    public static string? Name(JsonObject obj) => (string?)obj["metadata"]?["name"];

    public static string? Namespace(JsonObject obj) => (string?)obj["metadata"]?["namespace"];

    public static IReadOnlyDictionary<string, string> Labels(JsonObject obj) =>
        obj["metadata"]?["labels"] is JsonObject labels
            ? labels.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value!.ToString(), StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>A field by its dotted path (<c>spec.nodeName</c>) as the field selector compares it: absent is empty.</summary>
    public static string Field(JsonObject obj, string path)
    {
        JsonNode? node = obj;
        foreach (var part in path.Split('.'))
        {
            node = node is JsonObject o ? o[part] : null;
        }

        return node switch
        {
            null => "",
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            _ => node.ToJsonString(),
        };
    }
}
