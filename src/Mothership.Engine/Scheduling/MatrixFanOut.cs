using System.Collections.Immutable;
using Mothership.Engine.Resolution;
using Mothership.Model.Substitution;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Scheduling;

/// <summary>A pipeline task's <c>matrix</c> as the param combinations of its TaskRuns (pure).</summary>
public static class MatrixFanOut
{
    /// <summary>
    /// Tekton's fan-out: each param's values multiply the combinations so far; includes add or
    /// extend. The values are substituted first and counted (<see cref="Matrix.CountCombinations"/>)
    /// before any combination is made: a matrix whose values come from params or results and
    /// would fan out to more than <paramref name="maxCombinations"/> TaskRuns is a
    /// <see cref="TaskResolutionException"/> saying so.
    /// </summary>
    public static List<ImmutableArray<Param>>? Combinations(Matrix? matrix, VariableScope scope, int maxCombinations, string taskName)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (matrix is null)
        {
            return null;
        }

        var substituted = matrix with
        {
            Params = [.. matrix.Params.Select(p => p with { Value = scope.ApplyValue(p.Value) })],
            Include = [.. matrix.Include.Select(i => i with { Params = [.. i.Params.Select(p => p with { Value = scope.ApplyValue(p.Value) })] })],
        };
        var count = substituted.CountCombinations();
        if (count > maxCombinations)
        {
            throw new TaskResolutionException(
                $"the matrix of pipeline task \"{taskName}\" fans out to {count} TaskRuns with its values resolved: at most {maxCombinations} are allowed (default-max-matrix-combinations-count)");
        }

        var combos = new List<ImmutableArray<Param>>((int)count);
        foreach (var p in substituted.Params)
        {
            var value = p.Value;
            var values = value.Type == ParamType.Array ? value.ArrayValue : [value.StringValue ?? ""];
            if (values.IsEmpty)
            {
                return [];
            }

            combos = combos.Count == 0
                ? [.. values.Select(v => ImmutableArray.Create(new Param { Name = p.Name, Value = ParamValue.Of(v) }))]
                : [.. values.SelectMany(v => combos.Select(c => c.Add(new Param { Name = p.Name, Value = ParamValue.Of(v) })))];
        }

        var matrixNames = substituted.Params.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var originalCount = combos.Count;
        foreach (var include in substituted.Include)
        {
            var ps = include.Params.ToList();
            var keys = ps.Where(p => matrixNames.Contains(p.Name)).ToList();
            var extra = ps.Where(p => !matrixNames.Contains(p.Name)).ToList();
            var matched = false;
            for (var i = 0; i < originalCount; i++)
            {
                var c = combos[i];
                if (keys.All(k => c.Any(x => x.Name == k.Name && x.Value.Equals(k.Value))))
                {
                    matched = true;
                    combos[i] = c.AddRange(extra.Where(e => c.All(x => x.Name != e.Name)));
                }
            }

            if (!matched || originalCount == 0)
            {
                combos.Add([.. ps]);
            }
        }

        return combos;
    }
}
