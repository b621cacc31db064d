using System.Text.Json;
using System.Text.Json.Serialization;
using k8s;
using Mothership.Model.Loading;

namespace Mothership.Executors.Kubernetes.Pods;

/// <summary>
/// Reads fields the model keeps as written (plain maps, lists and strings) as the client's
/// Kubernetes types. The model keeps every YAML scalar as a string and no longer knows whether
/// it was quoted, so a scalar is read as whatever the target field is: <c>runAsUser: 1000</c>
/// as a number, <c>privileged: true</c> as a boolean, <c>gpu: "true"</c> under
/// <c>nodeSelector</c> as a string, <c>cpu: 1</c> as the quantity "1".
/// </summary>
internal static class KubernetesFields
{
    private static readonly Lazy<JsonSerializerOptions> Options = new(() =>
    {
        JsonSerializerOptions? client = null;
        KubernetesJson.AddJsonOptions(o => client = o);
        var options = new JsonSerializerOptions(client!) { NumberHandling = JsonNumberHandling.AllowReadingFromString };
        options.Converters.Insert(0, new BooleanFromStringConverter());
        return options;
    });

    public static T? Read<T>(object? plain)
        where T : class =>
        plain is null ? null : JsonSerializer.Deserialize<T>(PlainJson.ToNode(plain, typedScalars: false)!.ToJsonString(), Options.Value);

    /// <summary>Booleans written as strings ("true"), as the model keeps them.</summary>
    private sealed class BooleanFromStringConverter : JsonConverter<bool>
    {
        public override bool Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            JsonTokenType.String when bool.TryParse(reader.GetString(), out var b) => b,
            _ => throw new JsonException($"expected a boolean, got {reader.TokenType}"),
        };

        public override void Write(Utf8JsonWriter writer, bool value, JsonSerializerOptions options) => writer.WriteBooleanValue(value);
    }
}
