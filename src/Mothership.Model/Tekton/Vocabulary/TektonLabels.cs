namespace Mothership.Model.Tekton.Vocabulary;

/// <summary>The labels Tekton puts on a pipeline's TaskRuns, and the API versions it serves.</summary>
public static class TektonLabels
{
    public const string Pipeline = "tekton.dev/pipeline";

    public const string PipelineRun = "tekton.dev/pipelineRun";

    public const string PipelineTask = "tekton.dev/pipelineTask";

    /// <summary>The API version of the objects Mothership writes.</summary>
    public const string ApiVersion = "tekton.dev/v1";
}
