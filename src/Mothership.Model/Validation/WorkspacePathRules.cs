using Mothership.Model.Diagnostics;
using Mothership.Model.Tekton;

namespace Mothership.Model.Validation;

/// <summary>
/// Paths a user names inside a volume must stay inside it: a workspace's or volume mount's
/// <c>subPath</c> is relative and has no <c>..</c> (as Kubernetes requires), and a claim's name is a
/// DNS-1123 subdomain, which has neither <c>/</c> nor <c>..</c>. Checked in every file and again by the
/// executors after substitution, since a <c>$(params.…)</c> is only known then.
/// </summary>
public static class WorkspacePathRules
{
    /// <summary>Why <paramref name="subPath"/> cannot be used; null when it can (or is empty).</summary>
    public static string? SubPathProblem(string? subPath)
    {
        if (string.IsNullOrEmpty(subPath))
        {
            return null;
        }

        if (subPath.StartsWith('/'))
        {
            return $"subPath {KubernetesNames.Quote(subPath)} must be relative to its volume";
        }

        if (subPath.Split('/').Any(segment => segment == ".."))
        {
            return $"subPath {KubernetesNames.Quote(subPath)} must not contain '..': it would leave its volume";
        }

        return subPath.Any(char.IsControl) ? $"subPath {KubernetesNames.Quote(subPath)} must not contain control characters" : null;
    }

    /// <summary>Why <paramref name="claim"/> cannot name a claim; null when it can.</summary>
    public static string? ClaimNameProblem(string? claim) =>
        claim is null || KubernetesNames.IsDns1123Subdomain(claim) ? null
            : $"claimName {KubernetesNames.Quote(claim)} is not a valid claim name: lowercase letters, digits, '-' and '.', at most 253 characters";

    /// <summary>Reports every subPath and claim name of <paramref name="resources"/> that could leave its volume.</summary>
    public static void Validate(ResourceSet resources, DiagnosticBag bag)
    {
        ArgumentNullException.ThrowIfNull(resources);
        ArgumentNullException.ThrowIfNull(bag);
        foreach (var resource in resources.All)
        {
            switch (resource)
            {
                case TektonTask task:
                    Task(task.Spec, bag);
                    break;
                case Pipeline pipeline:
                    Pipeline(pipeline.Spec, bag);
                    break;
                case PipelineRun run:
                    Bindings(run.Spec.Workspaces, bag);
                    if (run.Spec.PipelineSpec is { } embedded)
                    {
                        Pipeline(embedded, bag);
                    }

                    break;
                case TaskRun run:
                    Bindings(run.Spec.Workspaces, bag);
                    if (run.Spec.TaskSpec is { } spec)
                    {
                        Task(spec, bag);
                    }

                    break;
            }
        }
    }

    private static void Pipeline(PipelineSpec spec, DiagnosticBag bag)
    {
        foreach (var task in spec.Tasks.Concat(spec.Finally))
        {
            foreach (var binding in task.Workspaces)
            {
                Check(SubPathProblem(Literal(binding.SubPath)), binding.At("subPath"), bag);
            }

            if (task.TaskSpec is { } embedded)
            {
                Task(embedded, bag);
            }
        }
    }

    private static void Task(TaskSpec spec, DiagnosticBag bag)
    {
        // Plain loops: validation comes through here for every task of a large pipeline.
        foreach (var step in spec.Steps)
        {
            Mounts(step, bag);
        }

        foreach (var sidecar in spec.Sidecars)
        {
            Mounts(sidecar, bag);
        }

        if (spec.StepTemplate is { } template)
        {
            Mounts(template, bag);
        }

        foreach (var volume in spec.Volumes)
        {
            Check(ClaimNameProblem(Literal(volume.Source.ClaimName)), volume.Source.At("persistentVolumeClaim"), bag);
        }
    }

    private static void Mounts(Step step, DiagnosticBag bag)
    {
        foreach (var mount in step.VolumeMounts)
        {
            Check(SubPathProblem(Literal(mount.SubPath)), mount.At("subPath"), bag);
        }
    }

    private static void Bindings(IEnumerable<WorkspaceBinding> bindings, DiagnosticBag bag)
    {
        foreach (var binding in bindings)
        {
            Check(SubPathProblem(Literal(binding.SubPath)), binding.At("subPath"), bag);
            Check(ClaimNameProblem(Literal(binding.Source.ClaimName)), binding.Source.At("persistentVolumeClaim"), bag);
        }
    }

    /// <summary>A value with <c>$(…)</c> is checked once substituted, by the executor.</summary>
    private static string? Literal(string? text) => text is not null && text.Contains("$(", StringComparison.Ordinal) ? null : text;

    private static void Check(string? problem, SourceLocation where, DiagnosticBag bag)
    {
        if (problem is not null)
        {
            bag.Error(where, problem);
        }
    }
}
