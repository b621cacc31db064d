using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Status;

/// <summary>
/// Source-generated contracts of the spec records <see cref="SpecJson"/> writes (and what they
/// contain), so that serializing a run object needs no reflection: the native (AOT) CLI uses it.
/// Naming, ignore rules and converters come from <see cref="SpecJson.Options"/>, not from here.
/// </summary>
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(PipelineRunSpec))]
[JsonSerializable(typeof(PipelineSpec))]
[JsonSerializable(typeof(TaskRunSpec))]
[JsonSerializable(typeof(TaskSpec))]
[JsonSerializable(typeof(ImmutableArray<WhenExpression>))]
[JsonSerializable(typeof(ImmutableArray<EnvVar>))]
[JsonSerializable(typeof(ImmutableArray<Volume>))]
[JsonSerializable(typeof(ImmutableArray<string>))]
[JsonSerializable(typeof(ImmutableSortedDictionary<string, string>))]
[JsonSerializable(typeof(ParamValue))]
internal sealed partial class SpecJsonContext : JsonSerializerContext;
