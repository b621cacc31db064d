namespace Mothership.Cloud.Values;

/// <summary>A service's merged values and the files they came from.</summary>
public sealed record RenderedValues(IReadOnlyList<ValueLayer> Layers, ValueMap Values);
