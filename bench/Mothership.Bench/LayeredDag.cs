using System.Text;

namespace Mothership.Bench;

/// <summary>
/// The layered DAG of bench/dag/generate.py, built in memory: tasks spread over layers, each task
/// after the same-index and next task of the previous layer, one <c>bash -c true</c> step each.
/// Kept identical to the Python generator so both benchmarks measure the same shape. With
/// <c>lines</c> &gt; 0 each step prints that many lines instead (bash builtins only: no process more), as
/// the generator's <c>--lines</c> does.
/// </summary>
internal static class LayeredDag
{
    public static string Yaml(int tasks, int layers, int lines = 0)
    {
        var command = lines == 0 ? "true" : $"for ((i = 1; i <= {lines}; i++)); do echo line $i; done";
        var grid = Layers(tasks, layers);
        var sb = new StringBuilder(tasks * 200);
        sb.Append("apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata:\n  name: dag\nspec:\n  tasks:\n");
        for (var k = 0; k < grid.Count; k++)
        {
            for (var i = 0; i < grid[k].Count; i++)
            {
                sb.Append("    - name: ").Append(grid[k][i]).Append('\n');
                var parents = Parents(grid, k, i);
                if (parents.Count > 0)
                {
                    sb.Append("      runAfter: [").AppendJoin(", ", parents).Append("]\n");
                }

                sb.Append("      taskSpec:\n        steps:\n          - name: noop\n            image: bash\n")
                  .Append("            command: [\"bash\", \"-c\", \"").Append(command).Append("\"]\n");
            }
        }

        sb.Append("---\napiVersion: tekton.dev/v1\nkind: PipelineRun\nmetadata:\n  name: dag-run\nspec:\n")
          .Append("  pipelineRef:\n    name: dag\n  timeouts:\n    pipeline: \"0\"\n");
        return sb.ToString();
    }

    private static List<List<string>> Layers(int tasks, int layers)
    {
        var (width, extra) = Math.DivRem(tasks, layers);
        var grid = new List<List<string>>();
        for (var k = 0; k < layers; k++)
        {
            var n = width + (k < extra ? 1 : 0);
            if (n > 0)
            {
                grid.Add([.. Enumerable.Range(0, n).Select(i => $"t{k:D3}-{i:D4}")]);
            }
        }

        return grid;
    }

    private static List<string> Parents(List<List<string>> grid, int k, int i)
    {
        if (k == 0)
        {
            return [];
        }

        var prev = grid[k - 1];
        return [.. new[] { prev[i % prev.Count], prev[(i + 1) % prev.Count] }.Distinct().Order(StringComparer.Ordinal)];
    }
}
