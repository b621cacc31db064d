using System.Collections.Immutable;

namespace Mothership.Store;

/// <summary>One requirement of a label selector (<c>app=web</c>, <c>tier in (a,b)</c>, <c>!canary</c>).</summary>
public sealed record LabelRequirement(string Key, LabelOperator Operator, ImmutableArray<string> Values);
