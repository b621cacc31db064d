using System.Collections.Immutable;
using Mothership.Model.Tekton;

namespace Mothership.Model.Validation;

/// <summary>
/// The names a <c>$(…)</c> reference may use at one place of a resource. A null set means that
/// kind of reference is not checked there.
/// </summary>
internal sealed record ReferenceScope
{
    /// <summary>Params in scope with their type (null when only known at run time).</summary>
    public required ImmutableDictionary<string, ParamType?> Params { get; init; }

    /// <summary>Who declares the params, for messages: "Task 'x'", "Pipeline 'y'".</summary>
    public required string ParamsOwner { get; init; }

    public ImmutableHashSet<string>? Results { get; init; }

    public ImmutableHashSet<string>? Workspaces { get; init; }

    /// <summary>Set inside a pipeline: what <c>$(tasks.…)</c> may name.</summary>
    public PipelineTaskReferences? Tasks { get; init; }

    /// <summary>No params, with the ordinal comparer every scope uses.</summary>
    public static ImmutableDictionary<string, ParamType?> NoParams { get; } = ImmutableDictionary.Create<string, ParamType?>(StringComparer.Ordinal);

    public static ImmutableDictionary<string, ParamType?> ParamsOf(ImmutableArray<ParamSpec> specs) =>
        specs.IsDefaultOrEmpty ? NoParams : specs.GroupBy(p => p.Name, StringComparer.Ordinal)
            .ToImmutableDictionary(g => g.Key, g => (ParamType?)EffectiveType(g.First()), StringComparer.Ordinal);

    /// <summary>Tekton's defaulting: the written type, else the default's type, else object when properties are listed.</summary>
    public static ParamType EffectiveType(ParamSpec spec) =>
        !spec.TypeDeclared && spec.Default is null && spec.Properties.Length > 0 ? ParamType.Object : spec.Type;

    /// <summary>The type a passed value gives a propagated param: unknown when it is a whole reference.</summary>
    public static ParamType? TypeOfValue(ParamValue value) =>
        value.Type == ParamType.String && VariableValidator.IsWholeReference(value.StringValue!) ? null : value.Type;

    /// <summary>Adds the outer params that the inner scope does not declare itself (inner wins).</summary>
    public static ImmutableDictionary<string, ParamType?> Merge(
        ImmutableDictionary<string, ParamType?> inner, IEnumerable<KeyValuePair<string, ParamType?>> outer)
    {
        // Scopes are merged once per pipeline task: share the dictionaries when one side is empty.
        if (outer is IReadOnlyCollection<KeyValuePair<string, ParamType?>> { Count: 0 })
        {
            return inner;
        }

        if (inner.IsEmpty && outer is ImmutableDictionary<string, ParamType?> same && same.KeyComparer == inner.KeyComparer)
        {
            return same;
        }

        var b = inner.ToBuilder();
        foreach (var (k, v) in outer)
        {
            b.TryAdd(k, v);
        }

        return b.ToImmutable();
    }
}

/// <summary>What <c>$(tasks.X.…)</c> may name from one pipeline task.</summary>
/// <param name="Tasks">The tasks whose results may be read, by name.</param>
/// <param name="ResultsOf">The results a task declares, or null when its spec is not known here.</param>
/// <param name="InFinally">Whether the reference is in a finally task (status and reason are allowed).</param>
/// <param name="Current">The task holding the reference (it cannot read its own results).</param>
internal sealed record PipelineTaskReferences(
    IReadOnlyDictionary<string, PipelineTask> Tasks,
    Func<PipelineTask, ImmutableHashSet<string>?> ResultsOf,
    bool InFinally,
    string? Current);
