namespace Mothership.Ci.PipelinesAsCode;

/// <summary>
/// Pipelines-as-Code's vocabulary, each spelled once: the annotations a <c>.tekton/</c>
/// PipelineRun matches events with, the labels its runs carry, and the status context they report under.
/// </summary>
public static class PacAnnotations
{
    /// <summary>The annotation and label group.</summary>
    public const string Group = "pipelinesascode.tekton.dev/";

    /// <summary>The events that start it: <c>[pull_request, push]</c>.</summary>
    public const string OnEvent = Group + "on-event";

    /// <summary>The branches (globs; <c>refs/heads/</c> and <c>refs/tags/</c> allowed) a pull request targets or a push goes to.</summary>
    public const string OnTargetBranch = Group + "on-target-branch";

    /// <summary>Globs: it runs only when a changed file matches one.</summary>
    public const string OnPathChange = Group + "on-path-change";

    /// <summary>Globs: it does not run when a changed file matches one.</summary>
    public const string OnPathChangeIgnore = Group + "on-path-change-ignore";

    /// <summary>A CEL expression that replaces every other matching annotation.</summary>
    public const string OnCelExpression = Group + "on-cel-expression";

    /// <summary>A regex: a new pull request comment that matches it starts the PipelineRun.</summary>
    public const string OnComment = Group + "on-comment";

    /// <summary>Labels: a pull request must carry one; adding one starts the PipelineRun.</summary>
    public const string OnLabel = Group + "on-label";

    /// <summary>How many runs of the PipelineRun to keep per repository.</summary>
    public const string MaxKeepRuns = Group + "max-keep-runs";

    /// <summary><c>"true"</c>: a new run for the same pull request (or branch) cancels the unfinished ones.</summary>
    public const string CancelInProgress = Group + "cancel-in-progress";

    /// <summary>Label: the name of the <c>.tekton/</c> PipelineRun a run was made from.</summary>
    public const string OriginalPipelineRunName = Group + "original-prname";

    /// <summary>Label: the repository (<c>org-repo</c>, made a label value) a run belongs to.</summary>
    public const string Repository = Group + "repository";

    /// <summary>Label: the commit a run tests.</summary>
    public const string Sha = Group + "sha";

    /// <summary>Label: the event that started a run (<c>pull_request</c>, <c>push</c>, <c>on-comment</c>…).</summary>
    public const string EventType = Group + "event-type";

    /// <summary>Label: the pull request's number.</summary>
    public const string PullRequest = Group + "pull-request";

    /// <summary>The application name PaC reports under on GitHub.</summary>
    public const string ApplicationName = "Pipelines as Code CI";

    /// <summary>The directory of a repository that holds its PipelineRuns.</summary>
    public const string Directory = ".tekton";

    /// <summary>The status context of <paramref name="pipelineRun"/>: <c>Pipelines as Code CI / NAME</c>.</summary>
    public static string Context(string pipelineRun) => $"{ApplicationName} / {pipelineRun}";

    /// <summary>Whether a status context is a PaC run's (so Prow's rules for presubmits leave it alone).</summary>
    public static bool IsContext(string? context) => context is not null && context.StartsWith(ApplicationName + " / ", StringComparison.Ordinal);
}
