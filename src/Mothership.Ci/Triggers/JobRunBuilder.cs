using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Mothership.Ci.Jobs;
using Mothership.Ci.PipelinesAsCode;
using Mothership.Model.Tekton;
using Mothership.Model.Tekton.Vocabulary;

namespace Mothership.Ci.Triggers;

/// <summary>
/// Turns a job and its refs into the run Tekton would be given: a pod-spec job becomes a TaskRun
/// (its containers the steps), a <c>tekton-pipeline</c> job a PipelineRun. Both get Prow's job
/// environment (as step env in a TaskRun, as params of a PipelineRun, which Tekton propagates into
/// embedded specs), Prow's labels, and the checkout in the <c>source</c> workspace.
/// </summary>
public static class JobRunBuilder
{
    /// <summary>The claim each PipelineRun's <c>source</c> workspace gets.</summary>
    private static readonly IReadOnlyDictionary<string, object?> SourceClaim = new Dictionary<string, object?>
    {
        ["spec"] = new Dictionary<string, object?>
        {
            ["accessModes"] = new List<object?> { "ReadWriteOnce" },
            ["resources"] = new Dictionary<string, object?> { ["requests"] = new Dictionary<string, object?> { ["storage"] = "1Gi" } },
        },
    };

    /// <summary>
    /// A run name for <paramref name="job"/> that is the same for the same <paramref name="key"/>:
    /// the job's name made a valid Kubernetes name (at most 40 characters) and 10 hex digits of
    /// the key's hash.
    /// </summary>
    public static string RunName(string job, string key)
    {
        var name = new StringBuilder();
        foreach (var c in job.ToLowerInvariant())
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '-');
        }

        var prefix = (name.Length > 40 ? name.ToString(0, 40) : name.ToString()).Trim('-');
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..10];
        return prefix.Length == 0 ? "job-" + hash : prefix + "-" + hash;
    }

    /// <summary>The run for <paramref name="request"/>; <paramref name="cloneImage"/> is the checkout step's image.</summary>
    public static Resource Build(JobRequest request, string cloneImage) => Build(request, cloneImage, workingTree: null);

    /// <summary>
    /// The run for <paramref name="request"/>; with <paramref name="workingTree"/> (a host directory,
    /// for the local executor), the <c>source</c> workspace is bound to it instead of being checked
    /// out: no clonerefs step or task, everything else as on the server (<c>mship ci test</c>).
    /// </summary>
    public static Resource Build(JobRequest request, string cloneImage, string? workingTree) => Build(request, cloneImage, workingTree, credentials: null);

    /// <summary>The run for <paramref name="request"/>, its checkout fetching with <paramref name="credentials"/> when given (<see cref="CloneRefs"/>).</summary>
    public static Resource Build(JobRequest request, string cloneImage, string? workingTree, CloneCredentials? credentials)
    {
        ArgumentNullException.ThrowIfNull(request);
        var job = request.Job;
        var env = JobEnvironment.Variables(request.Type, job.Name, request.BuildId, request.RunName, request.Refs);
        var refs = job.Decorate == false ? null : request.Refs;
        var metadata = new ObjectMeta
        {
            Name = request.RunName,
            Labels = Labels(request),
            Annotations = Annotations(request),
        };
        if (job is PacJob pac)
        {
            return new PipelineRun
            {
                ApiVersion = TektonLabels.ApiVersion,
                Kind = "PipelineRun",
                Metadata = metadata with { Labels = PacLabels(metadata.Labels, pac, request) },
                Spec = pac.WantsCheckout && request.Refs is { } checkout
                    ? WithCheckout(pac.PipelineRunSpec!, checkout, cloneImage, credentials)
                    : pac.PipelineRunSpec!,
            };
        }

        if (job.PipelineRunSpec is { } pipelineRun)
        {
            return new PipelineRun
            {
                ApiVersion = TektonLabels.ApiVersion,
                Kind = "PipelineRun",
                Metadata = metadata,
                Spec = PipelineRunSpecFor(pipelineRun, env, refs, cloneImage, workingTree, credentials),
            };
        }

        var spec = job.PodSpec ?? throw new InvalidOperationException($"job '{job.Name}' has neither a spec nor a pipeline_run_spec");
        return new TaskRun
        {
            ApiVersion = TektonLabels.ApiVersion,
            Kind = "TaskRun",
            Metadata = metadata,
            Spec = TaskRunSpecFor(spec, env, refs, cloneImage, workingTree, credentials),
        };
    }

    private static TaskRunSpec TaskRunSpecFor(TaskRunSpec spec, IReadOnlyList<KeyValuePair<string, string>> env, JobRefs? refs, string cloneImage, string? workingTree, CloneCredentials? credentials)
    {
        var task = spec.TaskSpec ?? throw new InvalidOperationException("a pod-spec job's TaskRun has its task inline");
        var template = task.StepTemplate ?? new Step();
        task = task with { StepTemplate = template with { Env = Env(env).Overlay(template.Env) } };
        if (refs is not null)
        {
            var workdir = $"$(workspaces.{CloneRefs.Workspace}.path)";
            var steps = task.Steps.Select(s => s.WorkingDir is null ? s with { WorkingDir = workdir } : s);
            task = task with
            {
                Workspaces = CloneRefs.Declared(task.Workspaces),
                Steps = workingTree is null ? [CloneRefs.Step(refs, cloneImage, credentials), .. steps] : [.. steps],
            };
            spec = WithSource(spec.Workspaces, workingTree, new VolumeSource { EmptyDir = true }) is { } bound ? spec with { Workspaces = bound } : spec;
        }

        return spec with { TaskSpec = task };
    }

    private static PipelineRunSpec PipelineRunSpecFor(PipelineRunSpec spec, IReadOnlyList<KeyValuePair<string, string>> env, JobRefs? refs, string cloneImage, string? workingTree, CloneCredentials? credentials)
    {
        var given = spec.Params.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        spec = spec with { Params = [.. spec.Params, .. env.Where(v => !given.Contains(v.Key)).Select(v => new Param { Name = v.Key, Value = ParamValue.Of(v.Value) })] };
        return refs is null ? spec : WithCheckout(spec, refs, cloneImage, credentials, workingTree);
    }

    /// <summary>
    /// The pipeline with the checkout task first, every task after it, and its <c>source</c> workspace
    /// bound when the run binds none; with <paramref name="workingTree"/>, no checkout and <c>source</c> bound to it.
    /// </summary>
    private static PipelineRunSpec WithCheckout(PipelineRunSpec spec, JobRefs refs, string cloneImage, CloneCredentials? credentials, string? workingTree = null)
    {
        if (spec.PipelineSpec is not { } pipeline || pipeline.Tasks.Any(t => t.Name == CloneRefs.Name))
        {
            // A pipeline by reference is not rewritten here: the trigger inlines a stored one first.
            return spec;
        }

        pipeline = pipeline with
        {
            Workspaces = CloneRefs.Declared(pipeline.Workspaces),
            Tasks = workingTree is not null ? pipeline.Tasks
                : [CloneRefs.Task(refs, cloneImage, credentials), .. pipeline.Tasks.Select(t => t with { RunAfter = t.RunAfter.Contains(CloneRefs.Name) ? t.RunAfter : t.RunAfter.Insert(0, CloneRefs.Name) })],
        };
        var claim = new VolumeSource { VolumeClaimTemplate = true, ClaimTemplate = SourceClaim };
        spec = WithSource(spec.Workspaces, workingTree, claim) is { } bound ? spec with { Workspaces = bound } : spec;
        return spec with { PipelineSpec = pipeline };
    }

    /// <summary>
    /// The run's workspace bindings with <c>source</c> bound to <paramref name="workingTree"/>, else
    /// to <paramref name="checkout"/> when the job binds none itself; null when nothing changes.
    /// </summary>
    private static ImmutableArray<WorkspaceBinding>? WithSource(ImmutableArray<WorkspaceBinding> bindings, string? workingTree, VolumeSource checkout)
    {
        if (workingTree is not null)
        {
            return [.. bindings.Where(w => w.Name != CloneRefs.Workspace), new WorkspaceBinding { Name = CloneRefs.Workspace, Source = new VolumeSource { HostPath = workingTree } }];
        }

        return bindings.Any(w => w.Name == CloneRefs.Workspace) ? null
            : bindings.Add(new WorkspaceBinding { Name = CloneRefs.Workspace, Source = checkout });
    }

    /// <summary>PaC's labels on a run of a <c>.tekton/</c> PipelineRun, so its runs can be found (and pruned) by name and repository.</summary>
    private static ImmutableSortedDictionary<string, string> PacLabels(ImmutableSortedDictionary<string, string> labels, PacJob job, JobRequest request)
    {
        labels = labels
            .SetItem(PacAnnotations.OriginalPipelineRunName, JobLabels.Value(job.Name))
            .SetItem(PacAnnotations.EventType, JobLabels.Value(job.EventType));
        if (request.Refs is { } refs)
        {
            labels = labels.SetItem(PacAnnotations.Repository, JobLabels.Value(refs.Org + "-" + refs.Repo));
            if (refs.Pulls is [var pull, ..])
            {
                labels = labels.SetItem(PacAnnotations.PullRequest, pull.Number.ToString(CultureInfo.InvariantCulture));
            }
        }

        return request.StatusSha is { } sha ? labels.SetItem(PacAnnotations.Sha, JobLabels.Value(sha)) : labels;
    }

    private static ImmutableArray<EnvVar> Env(IEnumerable<KeyValuePair<string, string>> env) =>
        [.. env.Select(v => new EnvVar { Name = v.Key, Value = v.Value })];

    private static ImmutableSortedDictionary<string, string> Labels(JobRequest request)
    {
        var labels = request.Job.Labels
            .SetItem(JobLabels.Job, JobLabels.Value(request.Job.Name))
            .SetItem(JobLabels.Type, request.Type);
        if (request.Refs is { } refs)
        {
            labels = labels
                .SetItem(JobLabels.Org, JobLabels.Value(refs.Org))
                .SetItem(JobLabels.Repo, JobLabels.Value(refs.Repo))
                .SetItem(JobLabels.BaseRef, JobLabels.Value(refs.BaseRef));
            if (refs.BaseSha.Length > 0)
            {
                labels = labels.SetItem(JobLabels.BaseSha, JobLabels.Value(refs.BaseSha));
            }

            if (refs.Pulls is [var pull, ..])
            {
                labels = labels.SetItem(JobLabels.Pull, pull.Number.ToString(CultureInfo.InvariantCulture));
            }
        }

        if (request.Delivery is { } delivery)
        {
            labels = labels.SetItem(JobLabels.Delivery, JobLabels.Value(delivery));
        }

        if (request.StatusSha is { } sha)
        {
            labels = labels.SetItem(JobLabels.Sha, JobLabels.Value(sha));
        }

        return labels;
    }

    private static ImmutableSortedDictionary<string, string> Annotations(JobRequest request)
    {
        var annotations = request.Job.Annotations;
        if (request.Context is { } context)
        {
            annotations = annotations.SetItem(JobLabels.Context, context);
        }

        if (request.RerunCommand is { } rerun)
        {
            annotations = annotations.SetItem(JobLabels.RerunCommand, rerun);
        }

        if (request.Optional)
        {
            annotations = annotations.SetItem(JobLabels.Optional, "true");
        }

        if (JobLabels.Value(request.Job.Name) != request.Job.Name)
        {
            annotations = annotations.SetItem(JobLabels.JobName, request.Job.Name);
        }

        return annotations;
    }
}
