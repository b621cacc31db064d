namespace Mothership.Ci.Jobs;

/// <summary>The values of a job's <c>agent</c>, as Prow spells them.</summary>
public static class JobAgents
{
    /// <summary>A pod from the job's <c>spec</c> (Prow's default); here, a one-task TaskRun whose steps are its containers.</summary>
    public const string Kubernetes = "kubernetes";

    /// <summary>A Tekton PipelineRun from the job's <c>pipeline_run_spec</c>.</summary>
    public const string TektonPipeline = "tekton-pipeline";

    /// <summary>A Jenkins job: accepted in a config for Prow's sake, never run by Mothership.</summary>
    public const string Jenkins = "jenkins";
}
