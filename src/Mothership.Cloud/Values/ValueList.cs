using System.Collections.Immutable;
using Mothership.Model.Diagnostics;

namespace Mothership.Cloud.Values;

/// <summary>A list; a later layer replaces it whole (Helm's rule).</summary>
public sealed record ValueList(ImmutableArray<ValueNode> Items, SourceLocation Source) : ValueNode(Source);
