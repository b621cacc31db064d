using Mothership.Model.Graph;
using Mothership.Model.Substitution;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Scheduling;

/// <summary>
/// The pipeline's variables, built at most once per decision: tasks started or skipped
/// within one decision cannot be referenced by another ready task (a reference is an edge).
/// </summary>
internal sealed class DecisionScopes(PipelineRunState state)
{
    private VariableScope? _full;
    private VariableScope? _withoutParams;

    /// <summary>Params, context and workspaces: what every task sees.</summary>
    private VariableScope Full => _full ??= PipelineScope.Build(state, includeTasks: false);

    private VariableScope WithoutParams => _withoutParams ??= PipelineScope.Build(state, includeParams: false, includeTasks: false);

    /// <summary>Everything <paramref name="task"/> can see: the common part plus the tasks it references.</summary>
    public VariableScope For(PipelineTask task, bool includeParams = true)
    {
        // Most tasks reference no other task: no set for them.
        HashSet<string>? names = null;
        var aggregate = false;
        foreach (var text in PipelineGraph.ReferencedStrings(task))
        {
            foreach (var (expr, _) in VariableScope.References(text))
            {
                var parts = expr.Split('.', 3);
                if (parts.Length >= 2 && parts[0] is "tasks" or "context")
                {
                    aggregate |= expr == "tasks.status";
                    (names ??= new HashSet<string>(StringComparer.Ordinal)).Add(parts[1]);
                }
            }
        }

        return PipelineScope.ForTasks(state, includeParams ? Full : WithoutParams, (IEnumerable<string>?)names ?? [], aggregate);
    }
}
