using System.Collections.Immutable;
using Mothership.Model.Diagnostics;

namespace Mothership.Model.Tekton;

/// <summary>
/// Base of every spec record read from a file: where it starts and where each of its fields (and
/// list items, as <c>field[i]</c>) starts, so that validation can point at the exact line.
/// </summary>
public abstract record Located
{
    public SourceLocation Location { get; init; } = SourceLocation.None;

    public ImmutableDictionary<string, SourceLocation> FieldLocations { get; init; } =
        ImmutableDictionary<string, SourceLocation>.Empty;

    /// <summary>Where <paramref name="field"/> is written, else where this record starts.</summary>
    public SourceLocation At(string field) => FieldLocations.GetValueOrDefault(field, Location);
}
