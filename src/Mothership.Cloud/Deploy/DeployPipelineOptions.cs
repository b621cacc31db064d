namespace Mothership.Cloud.Deploy;

/// <summary>How the deploy pipeline is generated.</summary>
public sealed record DeployPipelineOptions
{
    /// <summary>An image with bash, helm and kubectl; used when the pipeline runs on Kubernetes.</summary>
    public const string DefaultImage = "docker.io/alpine/k8s:1.31.2";

    /// <summary>Diff the values against the last deploy instead of calling helm. Default false.</summary>
    public bool DryRun { get; init; }

    /// <summary>The step image. Default <see cref="DefaultImage"/>.</summary>
    public string Image { get; init; } = DefaultImage;

    /// <summary>Where the site repository is, for charts given by path; the export leaves it to the PipelineRun. Default none.</summary>
    public string? ChartRoot { get; init; }

    /// <summary>
    /// For pods in the site's own cluster (a real Tekton, or <c>mship deploy</c> on the
    /// Kubernetes executor): add the state PersistentVolumeClaim, run as the site's executor
    /// service account, and let helm and kubectl use that account's in-cluster credentials (no
    /// kubeconfig context: there is no kubeconfig in the pod). Default false.
    /// </summary>
    public bool ForKubernetes { get; init; }

    /// <summary>
    /// Bind the state workspace to the site's claim (<see cref="DeployPipelineBuilder.StateClaim"/>)
    /// without declaring it: the server's local executor keeps a claim as a folder of its data
    /// directory, so the values last deployed stay per site between runs. Default false (emptyDir).
    /// </summary>
    public bool StateOnClaim { get; init; }

    /// <summary>Labels added to the PipelineRun's (a server deploy adds the revision). Default none.</summary>
    public IReadOnlyDictionary<string, string> RunLabels { get; init; } = new Dictionary<string, string>();

    /// <summary>Annotations added to the PipelineRun's (a server deploy adds where its TaskRuns run). Default none.</summary>
    public IReadOnlyDictionary<string, string> RunAnnotations { get; init; } = new Dictionary<string, string>();
}
