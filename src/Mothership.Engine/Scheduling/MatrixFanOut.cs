using System.Collections.Immutable;
using Mothership.Model.Substitution;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Scheduling;

/// <summary>A pipeline task's <c>matrix</c> as the param combinations of its TaskRuns (pure).</summary>
public static class MatrixFanOut
{
    /// <summary>Tekton's fan-out: each param's values multiply the combinations so far; includes add or extend.</summary>
    public static List<ImmutableArray<Param>>? Combinations(Matrix? matrix, VariableScope scope)
    {
        if (matrix is null)
        {
            return null;
        }

        var combos = new List<ImmutableArray<Param>>();
        foreach (var p in matrix.Params)
        {
            var value = scope.ApplyValue(p.Value);
            var values = value.Type == ParamType.Array ? value.ArrayValue : [value.StringValue ?? ""];
            if (values.IsEmpty)
            {
                return [];
            }

            combos = combos.Count == 0
                ? [.. values.Select(v => ImmutableArray.Create(new Param { Name = p.Name, Value = ParamValue.Of(v) }))]
                : [.. values.SelectMany(v => combos.Select(c => c.Add(new Param { Name = p.Name, Value = ParamValue.Of(v) })))];
        }

        var matrixNames = matrix.Params.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var originalCount = combos.Count;
        foreach (var include in matrix.Include)
        {
            var ps = include.Params.Select(p => p with { Value = scope.ApplyValue(p.Value) }).ToList();
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
