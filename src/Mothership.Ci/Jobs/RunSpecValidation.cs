using Mothership.Model.Diagnostics;
using Mothership.Model.Tekton;
using Mothership.Model.Tekton.Vocabulary;
using Mothership.Model.Validation;

namespace Mothership.Ci.Jobs;

/// <summary>
/// Validates what a job runs as the Model validates any PipelineRun or TaskRun, positions kept.
/// A job's Pipeline or Tasks referenced by name live in the cluster Prow runs them on, not in the
/// config: "not defined" is a warning here, not an error.
/// </summary>
internal static class RunSpecValidation
{
    /// <summary>The Model's wording for a reference to a Pipeline, Task or StepAction not in the files (ResourceValidator, PipelineValidator, TaskValidator).</summary>
    private const string NotDefined = ", which is not defined: define it in the same files or fix the name";

    public static void Validate(ProwJob job, DiagnosticBag bag)
    {
        var meta = new ObjectMeta { Name = KubernetesNames.NameProblem("PipelineRun", job.Name) is null ? job.Name : null };
        Resource? run = job switch
        {
            { PipelineRunSpec: { } spec } => new PipelineRun { ApiVersion = TektonLabels.ApiVersion, Kind = "PipelineRun", Metadata = meta, Spec = spec, Location = spec.Location },
            { PodSpec: { } spec } => new TaskRun { ApiVersion = TektonLabels.ApiVersion, Kind = "TaskRun", Metadata = meta, Spec = spec, Location = spec.Location },
            _ => null,
        };
        if (run is null)
        {
            return;
        }

        var own = new DiagnosticBag();
        ResourceValidator.Validate(new ResourceSet { All = [run] }, own);
        foreach (var d in own.Items)
        {
            if (d.Severity == Severity.Error && d.Message.EndsWith(NotDefined, StringComparison.Ordinal))
            {
                bag.Warning(d.Location, $"{d.Message[..^NotDefined.Length]}, which is not in this file: it must exist in the cluster the job runs on");
            }
            else
            {
                bag.AddRange([d]);
            }
        }
    }
}
