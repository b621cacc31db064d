namespace Mothership.Model.Tekton.Vocabulary;

/// <summary>The labels and annotations Mothership reads or writes on runs and on the objects it makes.</summary>
public static class MothershipLabels
{
    /// <summary>On a run: the site it deploys (where its TaskRuns run is in the <see cref="Executor"/> annotations).</summary>
    public const string Site = "mothership.io/site";

    /// <summary>
    /// On a server deploy's run: the environment of its site (site.yaml's <c>environment</c>), so
    /// the access policy can name the run <c>ENVIRONMENT/SITE</c> when the site repository no longer knows the site.
    /// </summary>
    public const string Environment = "mothership.io/environment";

    /// <summary>On a server deploy's run: the site repository's commit it deploys.</summary>
    public const string SiteRevision = "mothership.io/site-revision";

    /// <summary>
    /// Annotation on a server deploy's run: the executor its TaskRuns run on, <c>local</c> or
    /// <c>kubernetes</c>, as its site's <c>site.yaml</c> said when the deploy started. With the
    /// cluster annotations below it routes the run (and its rerun, and the run resumed after a
    /// restart) without reading the site repository again. Only the server writes these: a
    /// submitted run that carries one is refused.
    /// </summary>
    public const string Executor = "mothership.io/executor";

    /// <summary>Annotation on a server deploy's run on <c>kubernetes</c>: the kubeconfig context of its site's cluster (absent: the kubeconfig's current one).</summary>
    public const string ClusterContext = "mothership.io/cluster-context";

    /// <summary>Annotation on a server deploy's run on <c>kubernetes</c>: its site's <c>cluster.kubeconfig</c>, a file under the server's kubeconfig directory (absent: the server's kubeconfig).</summary>
    public const string ClusterKubeconfig = "mothership.io/cluster-kubeconfig";

    /// <summary>Annotation on a server deploy's run on <c>kubernetes</c>: the namespace of its pods (the site's <c>executor.namespace</c>).</summary>
    public const string ClusterNamespace = "mothership.io/cluster-namespace";

    /// <summary>The annotations that route a run to an executor; reserved to the server.</summary>
    public static readonly IReadOnlyList<string> Routing = [Executor, ClusterContext, ClusterKubeconfig, ClusterNamespace];

    /// <summary>On a TaskRun: <c>"true"</c> keeps the host's network for sandboxed local steps.</summary>
    public const string Network = "mothership.io/network";

    /// <summary>On a rollout's site deploy or bake check run: the rollout's name.</summary>
    public const string Rollout = "mothership.io/rollout";

    /// <summary>On a rollout's site deploy or bake check run: the attempt of the site it is (1, 2, …), so a restarted server finds it rather than starting it again.</summary>
    public const string RolloutAttempt = "mothership.io/rollout-attempt";

    /// <summary>On a rollout's run: <c>deploy</c> or <c>bake</c>.</summary>
    public const string RolloutStep = "mothership.io/rollout-step";

    /// <summary>On a site's deploy run started from a deployment pull request: the pull request's number.</summary>
    public const string DeploymentPullRequest = "mothership.io/deployment-pull-request";

    /// <summary>On a site's deploy run started from a deployment pull request: the pull request's head commit (its statuses go there).</summary>
    public const string DeploymentHead = "mothership.io/deployment-head";

    /// <summary>
    /// Annotation on a run: comma-separated names of params that look secret (<c>Secrets.SecretNames</c>)
    /// but are not, so their values are shown in logs and run objects.
    /// </summary>
    public const string PlainParams = "mothership.io/plain-params";

    /// <summary>
    /// Annotation on a Pipeline and its run: a JSON object of pipeline task name to estimated
    /// duration (Go duration, <c>{"keystone":"5m"}</c>); a deploy pipeline carries its services'
    /// <c>estimatedDuration</c>, and <c>mship deploy</c> / <c>mship start -F</c> show the time left
    /// on the critical path from it. Tasks it does not name count as zero.
    /// </summary>
    public const string EstimatedDurations = "mothership.io/estimated-durations";

    /// <summary>On a rerun: the name of the run it repeats.</summary>
    public const string RerunOf = "mothership.io/rerun-of";

    /// <summary>On a rerun from the failure: the name of the PipelineRun whose succeeded tasks it reuses.</summary>
    public const string RerunFromFailed = "mothership.io/rerun-from-failed";

    /// <summary>Annotation on a reused TaskRun of a rerun from the failure: the name of the earlier TaskRun whose status it carries (and which holds its logs).</summary>
    public const string ReusedFrom = "mothership.io/reused-from";

    /// <summary>Annotation on a reused TaskRun: the PipelineRun that ran the TaskRun named by <see cref="ReusedFrom"/>.</summary>
    public const string ReusedFromPipelineRun = "mothership.io/reused-from-pipelinerun";

    /// <summary>On pods, claims and Secrets: the uid of the run (PipelineRun, or standalone TaskRun) they belong to.</summary>
    public const string RunUid = "mothership.io/run-uid";

    /// <summary>On a pod: its TaskRun's name.</summary>
    public const string TaskRun = "mothership.io/taskrun";

    /// <summary>On a pod or claim: its PipelineRun's name.</summary>
    public const string PipelineRun = "mothership.io/pipelinerun";

    /// <summary>On a pod: its pipeline task's name.</summary>
    public const string Task = "mothership.io/task";

    /// <summary>On a pod: the attempt's retry count.</summary>
    public const string Retry = "mothership.io/retry";

    /// <summary>Annotation on a pod: its TaskRun's uid.</summary>
    public const string TaskRunUidAnnotation = "mothership.io/taskrun-uid";

    /// <summary>Kubernetes' recommended label naming the tool that manages an object; Mothership's value is <see cref="ManagedByValue"/>.</summary>
    public const string ManagedBy = "app.kubernetes.io/managed-by";

    public const string ManagedByValue = "mothership";

    /// <summary>Kubernetes' recommended label naming which Mothership made an object: each sweeps only its own.</summary>
    public const string Instance = "app.kubernetes.io/instance";
}
