using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace Mothership.Model.Tekton;

/// <summary>
/// Source-generated JSON contracts for <see cref="ParamValue.ToString"/>: no reflection, so the
/// native (AOT) CLI writes array and object values as the ReadyToRun build does.
/// </summary>
[JsonSerializable(typeof(ImmutableArray<string>))]
[JsonSerializable(typeof(ImmutableSortedDictionary<string, string>))]
internal sealed partial class ParamValueJsonContext : JsonSerializerContext;
