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
    public static void Validate(ProwJob job, DiagnosticBag bag)
    {
        var meta = new ObjectMeta { Name = KubernetesNames.NameProblem("PipelineRun", job.Name) is null ? job.Name : null };
        Resource? run = job switch
        {
            { PipelineRunSpec: { } spec } => new PipelineRun { ApiVersion = TektonLabels.ApiVersion, Kind = "PipelineRun", Metadata = meta, Spec = spec, Location = spec.Location },
            { PodSpec: { } spec } => new TaskRun { ApiVersion = TektonLabels.ApiVersion, Kind = "TaskRun", Metadata = meta, Spec = spec, Location = spec.Location },
            _ => null,
        };
        if (run is not null)
        {
            ResourceValidator.Validate(new ResourceSet { All = [run], DefinedElsewhere = "the cluster the job runs on" }, bag);
        }
    }
}
