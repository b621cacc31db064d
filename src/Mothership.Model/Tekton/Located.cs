using Mothership.Model.Diagnostics;

namespace Mothership.Model.Tekton;

/// <summary>
/// Base of every spec record read from a file: where it starts and where each of its fields (and
/// list items, as <c>field[i]</c>) starts, so that validation can point at the exact line.
/// </summary>
public abstract record Located
{
    public SourceLocation Location { get; init; } = SourceLocation.None;

    /// <summary>
    /// Field positions, read-only once loaded. The loader supplies a view over the YAML tree
    /// rather than a dictionary per record: copies were a good part of what loading large
    /// pipelines allocated (bench/RESULTS.md).
    /// </summary>
    public IReadOnlyDictionary<string, SourceLocation> FieldLocations { get; init; } = EmptyLocations;

    private static readonly IReadOnlyDictionary<string, SourceLocation> EmptyLocations = new Dictionary<string, SourceLocation>();

    /// <summary>Where <paramref name="field"/> is written, else where this record starts.</summary>
    public SourceLocation At(string field) => FieldLocations.TryGetValue(field, out var at) ? at : Location;
}
