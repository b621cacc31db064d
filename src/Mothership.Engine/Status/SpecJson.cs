using System.Collections;
using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Status;

/// <summary>
/// Serializes spec records in Tekton's JSON shape: camelCase, empty and default fields left
/// out, params as string/array/object, volume sources and env sources as Kubernetes nests them.
/// </summary>
public static class SpecJson
{
    private static readonly string[] Hidden = ["Location", "FieldLocations", "Extra", "TypeDeclared", "DisplayName", "ReadinessCommand", "IsSecret"];

    public static JsonSerializerOptions Options { get; } = CreateOptions(keepExtra: false);

    /// <summary>
    /// As <see cref="Options"/>, and the fields a record keeps as written but does not interpret
    /// (its <c>Extra</c>, such as a step's <c>resources</c>) written back in place: for documents
    /// that are read again, so nothing a user wrote is lost on the way.
    /// </summary>
    public static JsonSerializerOptions ManifestOptions { get; } = CreateOptions(keepExtra: true);

    // The contracts are source-generated (SpecJsonContext), not reflected: the native (AOT) CLI
    // writes run objects with them. The modifier then shapes them as the reflection-based resolver did.
    private static JsonSerializerOptions CreateOptions(bool keepExtra)
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
            TypeInfoResolver = SpecJsonContext.Default.WithAddedModifier(info => Modify(info, keepExtra)),
            Converters =
            {
                new ParamValueConverter(),
                // ParamType is the one enum in the spec records; the generic converter needs no runtime code generation.
                new JsonStringEnumConverter<ParamType>(JsonNamingPolicy.CamelCase),
                new PlainValueConverter(),
                new VolumeSourceConverter(),
                new EnvVarConverter(),
                new PodTemplateConverter(),
                new InlineSourceConverter<Volume>(v => (v.Name, null, v.Source)),
                new InlineSourceConverter<WorkspaceBinding>(w => (w.Name, w.SubPath, w.Source)),
            },
        };
        return options;
    }

    private static void Modify(JsonTypeInfo info, bool keepExtra)
    {
        if (info.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        // Resource.DisplayName is a computed label for messages; elsewhere displayName is a real field.
        var isResource = typeof(Resource).IsAssignableFrom(info.Type);
        foreach (var p in info.Properties.ToList())
        {
            // The C# name, from the camelCase JSON name (no record renames a field): the property's
            // MemberInfo would need reflection metadata the native CLI does not keep.
            var clr = char.ToUpperInvariant(p.Name[0]) + p.Name[1..];
            if (keepExtra && clr == "Extra")
            {
                // Not IsExtensionData: source-generated contracts count a record's init-only
                // members as constructor parameters, which extension data may not be. Written
                // under a name no field has, then spliced into its object (ToManifestNode).
                p.Name = ExtraMarker;
                continue;
            }

            if (Hidden.Contains(clr) && (clr != "DisplayName" || isResource))
            {
                info.Properties.Remove(p);
                continue;
            }

            if (typeof(IEnumerable).IsAssignableFrom(p.PropertyType) && p.PropertyType != typeof(string))
            {
                p.ShouldSerialize = (_, value) => value is IEnumerable e && e.GetEnumerator().MoveNext();
            }

            if (info.Type == typeof(Step) && clr == "Name")
            {
                // A step template, or a step left unnamed, has no name to write.
                p.ShouldSerialize = (_, value) => value is string { Length: > 0 };
            }

            if (info.Type == typeof(Step) && clr == "Ref")
            {
                p.CustomConverter = new RefNameConverter();
            }
        }
    }

    /// <summary>
    /// Serializes <paramref name="value"/> with <see cref="Options"/>; <typeparamref name="T"/> must be
    /// one of the types <see cref="SpecJsonContext"/> lists (else NotSupportedException).
    /// </summary>
    public static JsonNode? ToNode<T>(T value) => JsonSerializer.SerializeToNode(value, TypeInfo<T>(Options));

    /// <summary>Serializes with <see cref="ManifestOptions"/>.</summary>
    public static JsonNode? ToManifestNode<T>(T value) => SpliceExtra(JsonSerializer.SerializeToNode(value, TypeInfo<T>(ManifestOptions)));

    private const string ExtraMarker = "\u0000extra";

    /// <summary>Each record's kept fields written into the record's own object, after its other fields.</summary>
    private static JsonNode? SpliceExtra(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, child) in o.ToList())
                {
                    SpliceExtra(child);
                }

                if (o[ExtraMarker] is JsonObject extra)
                {
                    o.Remove(ExtraMarker);
                    foreach (var (key, value) in extra.ToList())
                    {
                        extra.Remove(key);
                        o[key] = value;
                    }
                }

                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    SpliceExtra(child);
                }

                break;
        }

        return node;
    }

    private static JsonTypeInfo<T> TypeInfo<T>(JsonSerializerOptions options) => (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));

    /// <summary>
    /// The values a record keeps as written (<c>Extra</c>, pod fields, claim templates: maps, lists
    /// and strings from <c>MapReader.ToPlain</c>), written by their runtime shape as the reflection
    /// serializer wrote them, without needing a contract per runtime type.
    /// </summary>
    private sealed class PlainValueConverter : JsonConverter<object>
    {
        public override object Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("kept fields are read from YAML");

        public override void Write(Utf8JsonWriter writer, object value, JsonSerializerOptions options)
        {
            switch (value)
            {
                case string text:
                    writer.WriteStringValue(text);
                    break;
                case bool flag:
                    writer.WriteBooleanValue(flag);
                    break;
                case long number:
                    writer.WriteNumberValue(number);
                    break;
                case int number:
                    writer.WriteNumberValue(number);
                    break;
                case double number:
                    writer.WriteNumberValue(number);
                    break;
                case JsonNode node:
                    node.WriteTo(writer, options);
                    break;
                case IEnumerable<KeyValuePair<string, object?>> map:
                    writer.WriteStartObject();
                    foreach (var (key, item) in map)
                    {
                        writer.WritePropertyName(key);
                        WriteItem(writer, item, options);
                    }

                    writer.WriteEndObject();
                    break;
                case IEnumerable<object?> list:
                    writer.WriteStartArray();
                    foreach (var item in list)
                    {
                        WriteItem(writer, item, options);
                    }

                    writer.WriteEndArray();
                    break;
                default:
                    writer.WriteStringValue(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
                    break;
            }
        }

        private void WriteItem(Utf8JsonWriter writer, object? item, JsonSerializerOptions options)
        {
            if (item is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                Write(writer, item, options);
            }
        }
    }

    private sealed class ParamValueConverter : JsonConverter<ParamValue>
    {
        public override ParamValue Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            ParamValue.Parse(JsonDocument.ParseValue(ref reader).RootElement.GetRawText());

        public override void Write(Utf8JsonWriter writer, ParamValue value, JsonSerializerOptions options)
        {
            switch (value.Type)
            {
                case ParamType.String:
                    writer.WriteStringValue(value.StringValue);
                    break;
                case ParamType.Array:
                    JsonSerializer.Serialize(writer, value.ArrayValue, TypeInfo<ImmutableArray<string>>(options));
                    break;
                default:
                    JsonSerializer.Serialize(writer, value.ObjectValue!, TypeInfo<ImmutableSortedDictionary<string, string>>(options));
                    break;
            }
        }
    }

    private sealed class RefNameConverter : JsonConverter<string>
    {
        public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetString() ?? "";

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WriteString("name", value);
            writer.WriteEndObject();
        }
    }

    private sealed class VolumeSourceConverter : JsonConverter<VolumeSource>
    {
        public override VolumeSource Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("volume sources are read from YAML");

        public override void Write(Utf8JsonWriter writer, VolumeSource value, JsonSerializerOptions options) =>
            new JsonObject(ToDictionary(value)).WriteTo(writer, options);

        public static Dictionary<string, JsonNode?> ToDictionary(VolumeSource v)
        {
            var d = new Dictionary<string, JsonNode?>();
            JsonArray Items() => [.. v.Items.Select(i => (JsonNode)new JsonObject { ["key"] = i.Key, ["path"] = i.Path })];
            if (v.EmptyDir)
            {
                d["emptyDir"] = new JsonObject();
            }

            if (v.ConfigMapName is { } cm)
            {
                d["configMap"] = new JsonObject { ["name"] = cm };
                if (!v.Items.IsEmpty)
                {
                    d["configMap"]!["items"] = Items();
                }
            }

            if (v.SecretName is { } secret)
            {
                d["secret"] = new JsonObject { ["secretName"] = secret };
                if (!v.Items.IsEmpty)
                {
                    d["secret"]!["items"] = Items();
                }
            }

            if (v.VolumeClaimTemplate)
            {
                d["volumeClaimTemplate"] = new JsonObject();
            }
            else if (v.ClaimName is { } claim)
            {
                d["persistentVolumeClaim"] = new JsonObject { ["claimName"] = claim };
            }

            if (!v.Sources.IsEmpty)
            {
                d["projected"] = new JsonObject { ["sources"] = new JsonArray([.. v.Sources.Select(s => (JsonNode)new JsonObject(ToDictionary(s)))]) };
            }

            if (v.HostPath is { } host)
            {
                d["hostPath"] = new JsonObject { ["path"] = host };
            }

            if (v.Csi)
            {
                d["csi"] = new JsonObject();
            }

            return d;
        }
    }

    /// <summary>Kubernetes writes a volume source inline, next to the volume's or binding's name.</summary>
    private sealed class InlineSourceConverter<T>(Func<T, (string Name, string? SubPath, VolumeSource Source)> parts) : JsonConverter<T>
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("volumes are read from YAML");

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
        {
            var (name, subPath, source) = parts(value);
            var o = new JsonObject { ["name"] = name };
            if (subPath is not null)
            {
                o["subPath"] = subPath;
            }

            foreach (var (k, v) in VolumeSourceConverter.ToDictionary(source))
            {
                o[k] = v;
            }

            o.WriteTo(writer, options);
        }
    }

    /// <summary>Tekton's podTemplate: volumes and env beside the pod-level fields, all at one level.</summary>
    private sealed class PodTemplateConverter : JsonConverter<PodTemplate>
    {
        public override PodTemplate Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("pod templates are read from YAML");

        public override void Write(Utf8JsonWriter writer, PodTemplate value, JsonSerializerOptions options)
        {
            var o = new JsonObject();
            foreach (var (name, field) in value.PodFields)
            {
                o[name] = Mothership.Model.Loading.PlainJson.ToNode(field);
            }

            if (!value.Env.IsEmpty)
            {
                o["env"] = JsonSerializer.SerializeToNode(value.Env, TypeInfo<ImmutableArray<EnvVar>>(options));
            }

            if (!value.Volumes.IsEmpty)
            {
                o["volumes"] = JsonSerializer.SerializeToNode(value.Volumes, TypeInfo<ImmutableArray<Volume>>(options));
            }

            o.WriteTo(writer, options);
        }
    }

    private sealed class EnvVarConverter : JsonConverter<EnvVar>
    {
        public override EnvVar Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("env is read from YAML");

        public override void Write(Utf8JsonWriter writer, EnvVar value, JsonSerializerOptions options)
        {
            var o = new JsonObject { ["name"] = value.Name };
            if (value.Value is not null)
            {
                o["value"] = value.Value;
            }

            static JsonObject Key(KeyRef k) => new() { ["name"] = k.Name, ["key"] = k.Key };
            if (value.ConfigMapKeyRef is { } c)
            {
                o["valueFrom"] = new JsonObject { ["configMapKeyRef"] = Key(c) };
            }

            if (value.SecretKeyRef is { } s)
            {
                o["valueFrom"] = new JsonObject { ["secretKeyRef"] = Key(s) };
            }

            if (value.FieldPath is { } f)
            {
                o["valueFrom"] = new JsonObject { ["fieldRef"] = new JsonObject { ["fieldPath"] = f } };
            }

            o.WriteTo(writer, options);
        }
    }
}
