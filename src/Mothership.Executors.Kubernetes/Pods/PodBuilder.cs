using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using k8s.Models;
using Mothership.Engine.Execution;
using Mothership.Model.Substitution;
using Mothership.Model.Tekton;
using Mothership.Model.Tekton.Vocabulary;

namespace Mothership.Executors.Kubernetes.Pods;

/// <summary>A TaskRun attempt as the pod that runs it, and what reading it back needs.</summary>
public sealed record PodPlan
{
    public required V1Pod Pod { get; init; }

    /// <summary>The step containers (<c>step-NAME</c>), in order.</summary>
    public ImmutableArray<string> Steps { get; init; } = [];

    public ImmutableArray<string> Sidecars { get; init; } = [];

    /// <summary>Claims made from workspaces' <c>volumeClaimTemplate</c>: one per run and workspace, created before the pod if missing.</summary>
    public ImmutableArray<V1PersistentVolumeClaim> Claims { get; init; } = [];

    /// <summary>
    /// The attempt's creds-init files (<see cref="CredentialFiles"/>) as a Secret the pod mounts:
    /// created before the pod, deleted with it; null when the account brings none.
    /// </summary>
    public V1Secret? Credentials { get; init; }

    /// <summary>The container that prints the results once every step is done.</summary>
    public const string ResultsContainer = "report-results";

    /// <summary>The init container that writes the scripts before any step starts.</summary>
    public const string PrepareContainer = "prepare";
}

/// <summary>
/// Builds the pod of a TaskRun attempt (a pure function). Steps run in order as <b>init
/// containers</b>: the kubelet itself runs them one after another, each to completion, and a failing
/// one fails the pod so later steps never start — Tekton's step semantics — while every step keeps
/// its own status (exit code, start and end) and log. Tekton instead overrides each step's
/// entrypoint with its own binary, which waits for the previous step; that needs an image we cannot
/// build or pull here and gains nothing the kubelet does not already do. Sidecars are native
/// sidecars (init containers with <c>restartPolicy: Always</c>, Kubernetes 1.29+): started first,
/// running beside every step, stopped when the pod ends. A first init container writes the scripts
/// (from environment variables, so no ConfigMap and no extra API write), and the only regular
/// container prints the results once the steps are done. A step with <c>onError: continue</c> (or
/// whose exit code a later step reads) runs under <c>/bin/sh</c> to record its exit code and go on,
/// so its image needs a shell; so does any <c>script</c>, as on Tekton.
/// <para>
/// A step with <c>args</c> but no <c>command</c> keeps no command in the pod: Kubernetes runs the
/// image's <c>ENTRYPOINT</c> with the args, and for an image without one the args are the command.
/// Tekton instead asks the registry for the image's config and makes <c>ENTRYPOINT</c>, or
/// <c>CMD</c> when there is none, the command — the two agree except for an image with a
/// <c>CMD</c> and no <c>ENTRYPOINT</c> (busybox: <c>args: [-c, …]</c> runs <c>sh -c …</c> on
/// Tekton, fails here). Doing the same would need registry access and credentials from the
/// executor, which it does not have.
/// </para>
/// </summary>
public static class PodBuilder
{
    private const string Scripts = "/tekton/scripts";
    private const string Home = "/tekton/home";
    private static readonly string Results = AttemptPaths.Tekton.Results;
    private static readonly string StepsDir = AttemptPaths.Tekton.Steps;
    private static readonly string Creds = AttemptPaths.Tekton.Credentials;

    private const string CredsSecret = "/tekton/creds-secret";
    private const string Workspace = "/workspace";

    /// <summary>The pod's name: Tekton's <c>&lt;taskrun&gt;-pod</c>, <c>-retryN</c> for a retry, shortened to 63 characters with a hash when needed.</summary>
    public static string PodName(TaskRunRequest request)
    {
        var name = $"{request.TaskRunName}-pod{(request.RetryCount > 0 ? $"-retry{request.RetryCount}" : "")}";
        if (name.Length <= 63)
        {
            return name;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..8];
        return $"{name[..(63 - 9)].TrimEnd('-', '.')}-{hash}";
    }

    /// <summary>
    /// The pod of <paramref name="request"/>; <paramref name="credentials"/> are the creds-init
    /// files of its account (<see cref="CredentialFiles.Build"/>), which the prepare container
    /// copies to <c>/tekton/creds</c> and the steps' home from a Secret.
    /// </summary>
    public static PodPlan Build(TaskRunRequest request, KubernetesExecutorOptions options, ImmutableArray<CredentialFile> credentials = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        var rules = new AttemptRules(request);
        rules.CheckPaths();
        var stepNames = rules.StepNames;
        var workspaces = Workspaces(request, options);
        var spec = Substitute(request, workspaces, rules);
        var volumes = new List<V1Volume>
        {
            EmptyDir("tekton-internal-scripts"),
            EmptyDir("tekton-internal-results"),
            EmptyDir("tekton-internal-steps"),
            EmptyDir("tekton-internal-home"),
            EmptyDir("tekton-internal-workspace"),
        };
        volumes.AddRange(workspaces.Where(w => w.Volume is not null).Select(w => w.Volume!));
        volumes.AddRange(spec.Volumes.Select(v => ToVolume(v.Name, v.Source)));
        credentials = credentials.IsDefault ? [] : credentials;
        var podName = PodName(request);
        var credentialsSecret = credentials.IsEmpty ? null : $"{podName}-creds";
        // /tekton/creds is in every step, as on Tekton ($(credentials.path)); filled when the account brings credentials.
        volumes.Add(EmptyDir("tekton-creds"));
        if (credentialsSecret is not null)
        {
            volumes.Add(new V1Volume { Name = "tekton-creds-secret", Secret = new V1SecretVolumeSource { SecretName = credentialsSecret } });
        }

        var exitCodesRead = ExitCodesRead(spec, stepNames);
        var isolated = spec.Steps.Concat(spec.Sidecars).Where(s => !s.Workspaces.IsDefaultOrEmpty).SelectMany(s => s.Workspaces).Select(u => u.Name).ToHashSet(StringComparer.Ordinal);
        var resolvers = spec.Steps.Select((s, i) => Resolver(s, rules.StepContainer(i))).ToList();
        var init = new List<V1Container> { Prepare(spec, rules, resolvers, options, credentials) };
        init.AddRange(spec.Sidecars.Select((s, i) => Container(s, rules.SidecarContainer(i), workspaces, isolated, wrapper: null)));
        init.AddRange(spec.Steps.Select((s, i) => Container(s, rules.StepContainer(i), workspaces, isolated,
            StepWrapper.Program(rules.StepContainer(i), rules.StepTimeout(i), request.GracePeriod, exitCodesRead.Contains(stepNames[i]), s.OnError == "continue"),
            resolvers[i] is not null)));
        var labels = new Dictionary<string, string>(request.Labels)
        {
            [MothershipLabels.ManagedBy] = MothershipLabels.ManagedByValue,
            [MothershipLabels.Instance] = options.Instance,
            [MothershipLabels.RunUid] = Label(request.RunUid),
            [MothershipLabels.TaskRun] = Label(request.TaskRunName),
            [MothershipLabels.Retry] = request.RetryCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (request.PipelineRunName is { } run)
        {
            labels[MothershipLabels.PipelineRun] = Label(run);
        }

        if (request.PipelineTaskName is { } task)
        {
            labels[MothershipLabels.Task] = Label(task);
        }

        // Tekton mounts /tekton/creds in every step and sidecar (its entrypoint copies it to $HOME).
        foreach (var container in init.Where(c => ContainerNames.IsStep(c.Name) || ContainerNames.IsSidecar(c.Name)))
        {
            container.VolumeMounts.Add(Mount("tekton-creds", Creds));
        }

        var pod = new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = podName,
                NamespaceProperty = options.Namespace,
                Labels = labels,
                Annotations = new Dictionary<string, string> { [MothershipLabels.TaskRunUidAnnotation] = request.TaskRunUid },
            },
            Spec = new V1PodSpec
            {
                RestartPolicy = "Never",
                ServiceAccountName = request.ServiceAccountName,
                InitContainers = init,
                Containers = [ReportResults(options)],
                Volumes = volumes,
                // A backstop: the executor deletes the pod at its timeout; this ends it even if
                // the executor is gone. Steps get their grace period on top.
                ActiveDeadlineSeconds = request.Timeout is { } t && t > TimeSpan.Zero ? (long)Math.Ceiling((t + request.GracePeriod).TotalSeconds) : null,
                TerminationGracePeriodSeconds = (long)Math.Ceiling(request.GracePeriod.TotalSeconds),
            },
        };
        ApplyPodTemplate(pod.Spec, request.PodTemplate);
        return new PodPlan
        {
            Pod = pod,
            Claims = [.. workspaces.Select(w => w.NewClaim).OfType<V1PersistentVolumeClaim>()],
            Credentials = credentialsSecret is null ? null : new V1Secret
            {
                ApiVersion = "v1",
                Kind = "Secret",
                Metadata = new V1ObjectMeta { Name = credentialsSecret, NamespaceProperty = options.Namespace, Labels = new Dictionary<string, string>(labels) },
                Type = "Opaque",
                // Keys must be plain names: the prepare container knows where each file goes.
                Data = credentials.Select((f, i) => (f, i)).ToDictionary(x => $"file-{x.i}", x => Encoding.UTF8.GetBytes(x.f.Content)),
            },
            Steps = [.. stepNames.Select(ContainerNames.Step)],
            Sidecars = [.. rules.SidecarNames.Select(ContainerNames.Sidecar)],
        };
    }

    /// <summary>A label value: at most 63 characters (Kubernetes' limit), hashed beyond.</summary>
    internal static string Label(string value) => value.Length <= 63
        ? value
        : $"{value[..54].TrimEnd('-', '.', '_')}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..8]}";

    private static V1Volume EmptyDir(string name) => new() { Name = name, EmptyDir = new V1EmptyDirVolumeSource() };

    /// <summary>A bound workspace: the volume behind it (null when it shares another's) and where steps see it.</summary>
    private sealed record BoundWorkspace(string Name, string MountPath, bool ReadOnly, string? VolumeName, V1Volume? Volume, string? SubPath, string Claim, V1PersistentVolumeClaim? NewClaim = null);

    /// <summary>The claim a <c>volumeClaimTemplate</c> describes, labelled with its run so it can be found and removed with it.</summary>
    private static V1PersistentVolumeClaim Claim(string name, VolumeSource source, TaskRunRequest request, KubernetesExecutorOptions options)
    {
        var template = KubernetesFields.Read<V1PersistentVolumeClaim>(source.ClaimTemplate) ?? new V1PersistentVolumeClaim();
        template.ApiVersion = "v1";
        template.Kind = "PersistentVolumeClaim";
        template.Metadata ??= new V1ObjectMeta();
        template.Metadata.Name = name;
        template.Metadata.Labels ??= new Dictionary<string, string>();
        template.Metadata.Labels[MothershipLabels.ManagedBy] = MothershipLabels.ManagedByValue;
        template.Metadata.Labels[MothershipLabels.Instance] = options.Instance;
        template.Metadata.Labels[MothershipLabels.RunUid] = Label(request.RunUid);
        if (request.PipelineRunName is { } run)
        {
            template.Metadata.Labels[MothershipLabels.PipelineRun] = Label(run);
        }

        template.Spec ??= new V1PersistentVolumeClaimSpec();
        template.Spec.AccessModes ??= ["ReadWriteOnce"];
        template.Spec.Resources ??= new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("1Gi") } };
        return template;
    }

    private static List<BoundWorkspace> Workspaces(TaskRunRequest request, KubernetesExecutorOptions options)
    {
        var result = new List<BoundWorkspace>();
        foreach (var declared in request.Spec.Workspaces)
        {
            var binding = request.Workspaces.FirstOrDefault(b => b.Name == declared.Name);
            var mountPath = declared.MountPath ?? $"{Workspace}/{declared.Name}";
            if (binding is null)
            {
                result.Add(new BoundWorkspace(declared.Name, mountPath, declared.ReadOnly, null, null, null, ""));
                continue;
            }

            var volumeName = $"ws-{Label(declared.Name).Replace('_', '-').ToLowerInvariant()}";
            var source = binding.Source;
            V1PersistentVolumeClaim? claim = null;
            if (source.VolumeClaimTemplate)
            {
                // One claim per run and workspace (the engine names the workspace in ClaimName),
                // shared by every TaskRun of a PipelineRun, as Tekton's pvc-<hash>.
                var owner = request.RunUid;
                var claimName = "pvc-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{owner}/{source.ClaimName ?? binding.Name}")))[..16];
                claim = Claim(claimName, source, request, options);
                source = source with { ClaimName = claimName };
            }

            result.Add(new BoundWorkspace(declared.Name, mountPath, declared.ReadOnly, volumeName, ToVolume(volumeName, source), binding.SubPath, source.ClaimName ?? "", claim));
        }

        return result;
    }

    private static V1Volume ToVolume(string name, VolumeSource source)
    {
        var volume = new V1Volume { Name = name };
        if (source.ConfigMapName is { } configMap)
        {
            volume.ConfigMap = new V1ConfigMapVolumeSource { Name = configMap, Items = ItemsOf(source) };
        }
        else if (source.SecretName is { } secret)
        {
            volume.Secret = new V1SecretVolumeSource { SecretName = secret, Items = ItemsOf(source) };
        }
        else if (source.ClaimName is { } claim)
        {
            volume.PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = claim };
        }
        else if (source.HostPath is { } hostPath)
        {
            volume.HostPath = new V1HostPathVolumeSource { Path = hostPath };
        }
        else if (!source.Sources.IsDefaultOrEmpty)
        {
            volume.Projected = new V1ProjectedVolumeSource
            {
                Sources = [.. source.Sources.Select(p => new V1VolumeProjection
                {
                    ConfigMap = p.ConfigMapName is { } c ? new V1ConfigMapProjection { Name = c, Items = ItemsOf(p) } : null,
                    Secret = p.SecretName is { } s ? new V1SecretProjection { Name = s, Items = ItemsOf(p) } : null,
                })],
            };
        }
        else
        {
            // emptyDir, and what this executor does not create yet (csi): the attempt still gets a
            // working directory for the workspace.
            volume.EmptyDir = new V1EmptyDirVolumeSource();
        }

        return volume;
    }

    private static List<V1KeyToPath>? ItemsOf(VolumeSource source) =>
        source.Items.IsDefaultOrEmpty ? null : [.. source.Items.Select(i => new V1KeyToPath { Key = i.Key, Path = i.Path })];

    /// <summary>Fills in the variables only the executor knows (<see cref="AttemptVariables"/>), as a pod's steps see them.</summary>
    private static TaskSpec Substitute(TaskRunRequest request, List<BoundWorkspace> workspaces, AttemptRules rules)
    {
        var views = workspaces.Select(w => new AttemptWorkspace(w.Name, w.Volume is null ? null : w.MountPath, w.Claim, w.VolumeName ?? ""));
        var spec = AttemptVariables.Apply(request.Spec, AttemptPaths.Tekton, views);

        // Each step writes its own results: $(step.results.r.path) is the step's folder.
        return spec with { Steps = [.. spec.Steps.Select((s, i) => AttemptVariables.ApplyStep(s, rules.StepContainer(i), AttemptPaths.Tekton))] };
    }

    private static HashSet<string> ExitCodesRead(TaskSpec spec, ImmutableArray<string> stepNames)
    {
        var texts = TaskSpecRewriter.Strings(spec).Select(s => s.Text).ToList();
        return [.. stepNames.Where(n => texts.Any(t => t.Contains(AttemptPaths.Tekton.ExitCode(ContainerNames.Step(n)), StringComparison.Ordinal)))];
    }

    /// <summary>Tekton runs a script without a shebang as <c>#!/bin/sh</c> with <c>set -e</c>.</summary>
    private static string ScriptText(string script) => script.StartsWith("#!", StringComparison.Ordinal) ? script : "#!/bin/sh\nset -e\n" + script;

    /// <summary>The program that resolves the step results <paramref name="step"/> reads (<see cref="StepResultResolver"/>); null when it reads none or has no command to wrap.</summary>
    private static string? Resolver(Step step, string container)
    {
        var references = StepResultResolver.Find(step);
        if (references.IsEmpty || (step.Script is null && step.Command.IsDefaultOrEmpty))
        {
            return null;
        }

        var environment = step.Env.Where(e => e.Value is { } v && references.Any(r => v.Contains(r.Text, StringComparison.Ordinal)) && StepResultResolver.IsShellName(e.Name)).Select(e => e.Name);
        return StepResultResolver.Program(container, references, environment,
            step.Script is null ? null : $"{Scripts}/{container}", step.Script is null ? null : ResolvedScript(container));
    }

    /// <summary>Where a script that reads step results is written once they are substituted: the step's own folder, the only one it may write.</summary>
    private static string ResolvedScript(string container) => $"{StepsDir}/{container}/script";

    private static string ResolverFile(string container) => $"{Scripts}/resolve-{container}";

    private static V1Container Prepare(TaskSpec spec, AttemptRules rules, List<string?> resolvers, KubernetesExecutorOptions options, ImmutableArray<CredentialFile> credentials)
    {
        var stepNames = rules.StepNames;
        var env = new List<V1EnvVar>();
        var commands = new StringBuilder("set -e\n");
        commands.Append($"mkdir -p {Results} {Home}\n");
        for (var i = 0; i < stepNames.Length; i++)
        {
            // Tekton also names each step's folder by its index (/tekton/steps/0 → step-NAME).
            commands.Append($"mkdir -p {AttemptPaths.Tekton.StepResults(rules.StepContainer(i))}\nln -s {rules.StepContainer(i)} {StepsDir}/{i}\n");
        }

        var scripted = spec.Steps.Select((s, i) => (Step: s, Container: rules.StepContainer(i)))
            .Concat(spec.Sidecars.Select((s, i) => (Step: s, Container: rules.SidecarContainer(i))))
            .Where(x => x.Step.Script is not null)
            .ToList();
        // A file the prepare container writes from an environment variable, base64 because
        // Kubernetes expands $(NAME) and turns $$ into $ in environment values.
        void Deliver(string variable, string content, string path)
        {
            env.Add(new V1EnvVar { Name = variable, Value = Convert.ToBase64String(Encoding.UTF8.GetBytes(content)) });
            commands.Append($"printf '%s' \"${variable}\" | base64 -d > {path}\n");
        }

        for (var i = 0; i < scripted.Count; i++)
        {
            Deliver($"MSHIP_SCRIPT_{i}", ScriptText(scripted[i].Step.Script!), $"{Scripts}/{scripted[i].Container}");
            commands.Append($"chmod 0755 {Scripts}/{scripted[i].Container}\n");
        }

        for (var i = 0; i < resolvers.Count; i++)
        {
            if (resolvers[i] is { } program)
            {
                Deliver($"MSHIP_RESOLVE_{i}", program, ResolverFile(rules.StepContainer(i)));
            }
        }

        // Steps run as any user: let them all write what they share.
        commands.Append($"chmod -R a+rwX {Results} {StepsDir} {Home}\n");
        var mounts = new List<V1VolumeMount> { Mount("tekton-internal-scripts", Scripts), Mount("tekton-internal-results", Results), Mount("tekton-internal-steps", StepsDir), Mount("tekton-internal-home", Home) };
        if (!credentials.IsEmpty)
        {
            // Tekton's creds-init: the files in /tekton/creds, and (as its entrypoint does) in the
            // steps' home; private ones 0600. Paths come from the engine (.ssh/…, .docker/…).
            mounts.Add(Mount("tekton-creds", Creds));
            mounts.Add(Mount("tekton-creds-secret", CredsSecret, readOnly: true));
            for (var i = 0; i < credentials.Length; i++)
            {
                var file = credentials[i];
                var mode = file.Private ? "0600" : "0644";
                foreach (var root in (string[])[Creds, Home])
                {
                    var target = $"{root}/{file.Path}";
                    commands.Append($"mkdir -p '{target[..target.LastIndexOf('/')]}'\ncp {CredsSecret}/file-{i} '{target}'\nchmod {mode} '{target}'\n");
                }
            }
        }

        return new V1Container
        {
            Name = PodPlan.PrepareContainer,
            Image = options.ShellImage,
            Command = ["/bin/sh", "-c", commands.ToString()],
            Env = env.Count > 0 ? env : null,
            VolumeMounts = mounts,
        };
    }

    private static V1Container ReportResults(KubernetesExecutorOptions options)
    {
        // One line per result, step result and recorded exit code, the value base64-encoded so any bytes
        // survive; the executor reads this container's log. Nothing is printed for a result the
        // steps did not write.
        const string script = """
            for f in /tekton/results/*; do
              [ -f "$f" ] || continue
              printf 'result %s %s\n' "$(basename "$f")" "$(base64 < "$f" | tr -d '\n')"
            done
            for f in /tekton/steps/*/exitCode; do
              [ -f "$f" ] || continue
              printf 'exitcode %s %s\n' "$(basename "$(dirname "$f")")" "$(cat "$f")"
            done
            for f in /tekton/steps/step-*/results/*; do
              [ -f "$f" ] || continue
              printf 'stepresult %s %s %s\n' "$(basename "$(dirname "$(dirname "$f")")")" "$(basename "$f")" "$(base64 < "$f" | tr -d '\n')"
            done
            """;
        return new V1Container
        {
            Name = PodPlan.ResultsContainer,
            Image = options.ShellImage,
            Command = ["/bin/sh", "-c", script],
            VolumeMounts = [Mount("tekton-internal-results", Results, readOnly: true), Mount("tekton-internal-steps", StepsDir, readOnly: true)],
        };
    }

    private static V1VolumeMount Mount(string name, string path, bool readOnly = false, string? subPath = null) =>
        new() { Name = name, MountPath = path, ReadOnlyProperty = readOnly ? true : null, SubPath = subPath };

    private static V1Container Container(Step step, string name, List<BoundWorkspace> workspaces, HashSet<string> isolated, string? wrapper, bool resolvesStepResults = false)
    {
        var sidecar = ContainerNames.IsSidecar(name);
        List<string>? command;
        List<string>? args;
        if (step.Script is not null)
        {
            command = [$"{Scripts}/{name}"];
            args = step.Args.IsDefaultOrEmpty ? null : [.. step.Args];
        }
        else
        {
            command = step.Command.IsDefaultOrEmpty ? null : [.. step.Command];
            args = step.Args.IsDefaultOrEmpty ? null : [.. step.Args];
        }

        if (resolvesStepResults && command is not null)
        {
            // The resolver runs first and execs the step, its script read from where it wrote it resolved.
            args = [ResolverFile(name), .. step.Script is not null ? [ResolvedScript(name)] : command, .. args ?? []];
            command = ["/bin/sh"];
        }

        if (wrapper is not null && command is not null)
        {
            // The step's timeout, exit code and onError (StepWrapper), around its command.
            args = [name, .. command, .. args ?? []];
            command = ["/bin/sh", "-c", wrapper];
        }

        var mounts = new List<V1VolumeMount>
        {
            Mount("tekton-internal-scripts", Scripts, readOnly: true),
            Mount("tekton-internal-results", Results),
            // Other steps' folders read-only, the step's own writable (its exit code, step results), as Tekton does.
            Mount("tekton-internal-steps", StepsDir, readOnly: true),
            Mount("tekton-internal-home", Home),
            Mount("tekton-internal-workspace", Workspace),
        };
        if (!sidecar)
        {
            mounts.Add(Mount("tekton-internal-steps", $"{StepsDir}/{name}", subPath: name));
        }

        // The container's own volumeMounts win over a workspace at the same path (Tekton merges the
        // step template's mounts by path, and skips a sidecar's workspace mount that would clash).
        var own = step.VolumeMounts.Select(m => Mount(m.Name, m.MountPath, m.ReadOnly, m.SubPath)).ToList();
        foreach (var w in workspaces.Where(w => w.VolumeName is not null))
        {
            // Tekton mounts a workspace in every step and sidecar, unless a step or sidecar lists
            // it in its own workspaces: then only in those (isolated workspaces), at their mountPath.
            var usage = step.Workspaces.IsDefaultOrEmpty ? null : step.Workspaces.FirstOrDefault(u => u.Name == w.Name);
            if (isolated.Contains(w.Name) && usage is null)
            {
                continue;
            }

            var path = usage?.MountPath ?? w.MountPath;
            if (!own.Any(m => m.MountPath == path))
            {
                mounts.Add(Mount(w.VolumeName!, path, w.ReadOnly, w.SubPath));
            }
        }

        mounts.AddRange(own);
        var env = step.Env.Select(Env).Prepend(new V1EnvVar { Name = "HOME", Value = Home }).ToList();
        var container = new V1Container
        {
            Name = name,
            Image = step.Image,
            Command = command,
            Args = args,
            Env = env,
            EnvFrom = step.EnvFrom.IsDefaultOrEmpty ? null : [.. step.EnvFrom.Select(e => new V1EnvFromSource
            {
                Prefix = e.Prefix,
                ConfigMapRef = e.ConfigMapName is { } c ? new V1ConfigMapEnvSource { Name = c, Optional = e.Optional ? true : null } : null,
                SecretRef = e.SecretName is { } s ? new V1SecretEnvSource { Name = s, Optional = e.Optional ? true : null } : null,
            })],
            WorkingDir = step.WorkingDir ?? Workspace,
            VolumeMounts = mounts,
            Resources = Extra<V1ResourceRequirements>(step, "computeResources") ?? Extra<V1ResourceRequirements>(step, "resources"),
            SecurityContext = Extra<V1SecurityContext>(step, "securityContext"),
            ImagePullPolicy = Extra<string>(step, "imagePullPolicy"),
        };
        if (sidecar)
        {
            container.RestartPolicy = "Always";
            container.LivenessProbe = Extra<V1Probe>(step, "livenessProbe");
            container.ReadinessProbe = Extra<V1Probe>(step, "readinessProbe");
            // Tekton starts the steps once every sidecar is Ready. A native sidecar lets the next
            // init container start once it has *started*, which Kubernetes ties to the startupProbe
            // and ignores the readinessProbe for: so the readiness probe is the startup probe too,
            // unless the sidecar has its own. (It keeps its readinessProbe for the Ready condition.)
            // One difference remains: a startup probe that keeps failing has the sidecar restarted
            // after failureThreshold tries, where a failing readiness probe only keeps it unready.
            container.StartupProbe = Extra<V1Probe>(step, "startupProbe") ?? Extra<V1Probe>(step, "readinessProbe");
        }

        return container;
    }

    private static V1EnvVar Env(EnvVar e) => new()
    {
        Name = e.Name,
        Value = e.Value,
        ValueFrom = e switch
        {
            { ConfigMapKeyRef: { } c } => new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = c.Name, Key = c.Key, Optional = c.Optional ? true : null } },
            { SecretKeyRef: { } s } => new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = s.Name, Key = s.Key, Optional = s.Optional ? true : null } },
            { FieldPath: { } f } => new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = f } },
            _ => null,
        },
    };

    /// <summary>A field the model keeps as written (plain maps, lists and strings), as the Kubernetes type.</summary>
    private static T? Extra<T>(Step step, string field)
        where T : class => KubernetesFields.Read<T>(step.Extra.GetValueOrDefault(field));

    /// <summary>
    /// The run's pod template's pod-level fields (nodeSelector, tolerations, affinity, the pod's
    /// securityContext, …), each replacing what the builder set; its env and volumes were merged
    /// into the spec by the engine, as for every executor.
    /// </summary>
    private static void ApplyPodTemplate(V1PodSpec pod, PodTemplate? template)
    {
        if (template is null || template.PodFields.IsEmpty)
        {
            return;
        }

        var fields = KubernetesFields.Read<V1PodSpec>(template.PodFields)!;
        pod.NodeSelector = fields.NodeSelector ?? pod.NodeSelector;
        pod.Tolerations = fields.Tolerations ?? pod.Tolerations;
        pod.Affinity = fields.Affinity ?? pod.Affinity;
        pod.SecurityContext = fields.SecurityContext ?? pod.SecurityContext;
        pod.RuntimeClassName = fields.RuntimeClassName ?? pod.RuntimeClassName;
        pod.AutomountServiceAccountToken = fields.AutomountServiceAccountToken ?? pod.AutomountServiceAccountToken;
        pod.DnsPolicy = fields.DnsPolicy ?? pod.DnsPolicy;
        pod.DnsConfig = fields.DnsConfig ?? pod.DnsConfig;
        pod.EnableServiceLinks = fields.EnableServiceLinks ?? pod.EnableServiceLinks;
        pod.PriorityClassName = fields.PriorityClassName ?? pod.PriorityClassName;
        pod.SchedulerName = fields.SchedulerName ?? pod.SchedulerName;
        pod.ImagePullSecrets = fields.ImagePullSecrets ?? pod.ImagePullSecrets;
        pod.HostAliases = fields.HostAliases ?? pod.HostAliases;
        pod.HostNetwork = fields.HostNetwork ?? pod.HostNetwork;
        pod.TopologySpreadConstraints = fields.TopologySpreadConstraints ?? pod.TopologySpreadConstraints;
    }
}
