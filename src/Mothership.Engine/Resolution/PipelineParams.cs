using System.Collections.Immutable;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Resolution;

/// <summary>Resolves a PipelineRun's params against its pipeline's declarations.</summary>
public static class PipelineParams
{
    /// <summary>
    /// Given values win over defaults; object values keep the default's other keys; a declared
    /// param with neither, or a value of the wrong type, is a user mistake. Extra params are kept
    /// (Tekton ignores them, and embedded specs may use them through propagation).
    /// </summary>
    public static ImmutableDictionary<string, ParamValue> Resolve(PipelineSpec spec, IReadOnlyList<Param> given, string runName)
    {
        var result = ImmutableDictionary.CreateBuilder<string, ParamValue>(StringComparer.Ordinal);
        foreach (var p in given)
        {
            result[p.Name] = p.Value;
        }

        foreach (var p in spec.Params)
        {
            var value = given.FirstOrDefault(g => g.Name == p.Name)?.Value;
            if (value is not null && p.TypeDeclared && value.Type != p.Type)
            {
                throw new TaskResolutionException($"PipelineRun '{runName}': param '{p.Name}' is declared {Lower(p.Type)} but was given {Lower(value.Type)} value");
            }

            value ??= p.Default ?? throw new TaskResolutionException($"PipelineRun '{runName}': param '{p.Name}' has no default and no value was passed (use -p {p.Name}=VALUE)");
            result[p.Name] = TaskSpecResolver.MergeObjectDefault(p, value);
        }

        return result.ToImmutable();
    }

    private static string Lower(ParamType t) => t.ToString().ToLowerInvariant();
}
