using System.Collections.Immutable;
using System.Reflection;
using Mothership.Model.Tekton.Vocabulary;
using Mothership.Model.Validation;

namespace Mothership.Server.Api;

/// <summary>
/// The <c>status</c> filter of run lists, for the API, the CLI (<c>mship get --status</c>) and the
/// dashboard alike: a group (<c>Succeeded</c> is every run that succeeded, <c>Completed</c> — some
/// tasks skipped — included; every reason is in exactly one group) or an exact condition reason,
/// comma-separated. Anything else is a 400.
/// </summary>
public static class StatusFilter
{
    /// <summary>The groups, by name, and the reasons each stands for.</summary>
    public static readonly ImmutableDictionary<string, ImmutableArray<string>> Groups = new Dictionary<string, ImmutableArray<string>>
    {
        ["Succeeded"] = [PipelineRunReason.Succeeded, PipelineRunReason.Completed],
        ["Failed"] =
        [
            PipelineRunReason.Failed, PipelineRunReason.Timeout, TaskRunReason.Timeout, PipelineRunReason.InvalidTaskResultReference,
            PipelineRunReason.CelEvaluationFailed, PipelineRunReason.CouldntGetSpec, PipelineRunReason.InternalError,
            // A TaskRun that failed under a pipeline task's onError: continue: failed (condition
            // False, ✗ in the dashboard), though its PipelineRun goes on.
            TaskRunReason.FailureIgnored,
        ],
        ["Cancelled"] = [PipelineRunReason.Cancelled, TaskRunReason.Cancelled, PipelineRunReason.CancelledRunFinally, PipelineRunReason.StoppedRunFinally],
        ["Running"] = [PipelineRunReason.Running],
        ["Pending"] = [PipelineRunReason.Pending, SpecStatus.PipelineRunPending, SpecStatus.TaskRunPending, PipelineRunReason.Queued],
    }.ToImmutableDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>Every reason a stored run can have: the constants of the reason vocabularies, and the pending ones.</summary>
    private static readonly ImmutableSortedSet<string> Reasons = new[] { typeof(PipelineRunReason), typeof(TaskRunReason) }
        .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .Concat([SpecStatus.PipelineRunPending, SpecStatus.TaskRunPending])
        .ToImmutableSortedSet(StringComparer.Ordinal);

    /// <summary>The reasons <paramref name="text"/> asks for; false and why when a part is neither a group nor a reason.</summary>
    public static bool TryParse(string text, out ImmutableArray<string> reasons, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = ImmutableArray.CreateBuilder<string>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (Groups.TryGetValue(part, out var group))
            {
                result.AddRange(group);
            }
            else if (Reasons.Contains(part))
            {
                result.Add(part);
            }
            else
            {
                reasons = [];
                error = $"status: {KubernetesNames.Quote(part)} is neither a group ({string.Join(", ", Groups.Keys.Order(StringComparer.Ordinal))}) nor a reason ({string.Join(", ", Reasons)})";
                return false;
            }
        }

        reasons = [.. result.Distinct(StringComparer.Ordinal)];
        error = "";
        return true;
    }
}
