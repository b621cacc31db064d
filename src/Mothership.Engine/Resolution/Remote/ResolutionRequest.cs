using System.Collections.Immutable;
using Mothership.Model.Diagnostics;

namespace Mothership.Engine.Resolution.Remote;

/// <summary>
/// One remote ref to resolve: the resolver, its params with the run's <c>$(params.…)</c> already
/// substituted, and the kind the ref expects (Task, Pipeline or StepAction).
/// </summary>
public sealed record ResolutionRequest
{
    public required string Resolver { get; init; }
    public required ImmutableSortedDictionary<string, string> Params { get; init; }

    /// <summary>Task, Pipeline or StepAction.</summary>
    public required string Kind { get; init; }

    /// <summary>Where the ref is written, for diagnostics.</summary>
    public SourceLocation Location { get; init; } = SourceLocation.None;

    /// <summary>
    /// What identifies the request (resolver, kind and params, sorted): equal keys resolve to the
    /// same content within a run, and a run's manifest freezes content under it.
    /// </summary>
    public string Key => $"{Resolver}:{Kind}?{string.Join("&", Params.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"))}";

    /// <summary>The param's value, or null.</summary>
    public string? Param(string name) => Params.GetValueOrDefault(name) is { Length: > 0 } v ? v : null;

    /// <summary>
    /// The resolver and its params for an error message. Params only ever name a Secret, never
    /// hold a credential, so all can be shown.
    /// </summary>
    public override string ToString() => $"{Resolver} resolver ({string.Join(", ", Params.Select(p => $"{p.Key}={p.Value}"))})";
}
