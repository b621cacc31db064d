using System.Collections.Immutable;

namespace Mothership.Model.Tekton;

/// <summary>A declared param of a Task, Pipeline or StepAction.</summary>
public sealed record ParamSpec : Located
{
    public required string Name { get; init; }
    public ParamType Type { get; init; } = ParamType.String;
    /// <summary>True when the type was written; Tekton infers it from the default otherwise.</summary>
    public bool TypeDeclared { get; init; }
    public string? Description { get; init; }
    public ParamValue? Default { get; init; }
    public ImmutableArray<string> Properties { get; init; } = [];
    public ImmutableArray<string> Enum { get; init; } = [];
}

/// <summary>A param passed to a Task, Pipeline or StepAction.</summary>
public sealed record Param : Located
{
    public required string Name { get; init; }
    public required ParamValue Value { get; init; }
}

/// <summary>A declared result; for a Pipeline, <see cref="Value"/> says where it comes from.</summary>
public sealed record ResultSpec : Located
{
    public required string Name { get; init; }
    public ParamType Type { get; init; } = ParamType.String;
    public string? Description { get; init; }
    public ImmutableArray<string> Properties { get; init; } = [];
    public ParamValue? Value { get; init; }
}

/// <summary>Reference to a key of a ConfigMap or Secret.</summary>
public sealed record KeyRef(string Name, string Key, bool Optional);

/// <summary>An environment variable of a step or sidecar.</summary>
public sealed record EnvVar : Located
{
    public required string Name { get; init; }
    public string? Value { get; init; }
    public KeyRef? ConfigMapKeyRef { get; init; }
    public KeyRef? SecretKeyRef { get; init; }
    /// <summary>Downward-API field path (<c>metadata.name</c>, …), resolved by the executor.</summary>
    public string? FieldPath { get; init; }
}

/// <summary>Env lists laid over each other, as Tekton layers a step template, a step and a pod template.</summary>
public static class EnvVars
{
    /// <summary><paramref name="under"/>'s variables that <paramref name="over"/> does not name, then <paramref name="over"/>'s: the later layer wins by name.</summary>
    public static ImmutableArray<EnvVar> Overlay(this ImmutableArray<EnvVar> under, ImmutableArray<EnvVar> over) =>
        over.IsDefaultOrEmpty ? under : [.. under.Where(u => over.All(o => o.Name != u.Name)), .. over];
}

/// <summary>All keys of a ConfigMap or Secret as environment variables.</summary>
public sealed record EnvFromSource : Located
{
    public string? Prefix { get; init; }
    public string? ConfigMapName { get; init; }
    public string? SecretName { get; init; }
    public bool Optional { get; init; }
}

/// <summary>Where a volume is mounted in a step or sidecar.</summary>
public sealed record VolumeMount : Located
{
    public required string Name { get; init; }
    public required string MountPath { get; init; }
    public bool ReadOnly { get; init; }
    public string? SubPath { get; init; }
}

/// <summary>A file path a step's stdout or stderr is copied to.</summary>
public sealed record OutputConfig(string Path);

/// <summary>
/// A step or sidecar: one process. Steps referencing a StepAction carry <see cref="Ref"/> and
/// the action's params; the engine inlines the action before running.
/// </summary>
public sealed record Step : Located
{
    public string Name { get; init; } = "";
    public string? Image { get; init; }
    public ImmutableArray<string> Command { get; init; } = [];
    public ImmutableArray<string> Args { get; init; } = [];
    public string? Script { get; init; }
    public ImmutableArray<EnvVar> Env { get; init; } = [];
    public ImmutableArray<EnvFromSource> EnvFrom { get; init; } = [];
    public string? WorkingDir { get; init; }
    /// <summary><c>continue</c> or <c>stopAndFail</c> (the default).</summary>
    public string? OnError { get; init; }
    public string? Timeout { get; init; }
    public string? Ref { get; init; }

    /// <summary>The step's <c>ref</c> when it names a remote resolver (then <see cref="Ref"/> is null until the ref is resolved).</summary>
    public ResourceRef? RemoteRef { get; init; }

    public ImmutableArray<Param> Params { get; init; } = [];
    public ImmutableArray<ResultSpec> Results { get; init; } = [];
    public ImmutableArray<VolumeMount> VolumeMounts { get; init; } = [];
    public ImmutableArray<WorkspaceUsage> Workspaces { get; init; } = [];
    public OutputConfig? StdoutConfig { get; init; }
    public OutputConfig? StderrConfig { get; init; }
    /// <summary>Sidecars only: a probe that says when the sidecar is ready (exec command).</summary>
    public ImmutableArray<string> ReadinessCommand { get; init; } = [];
    /// <summary>Fields kept but not interpreted by the local executor (securityContext, resources, …).</summary>
    public ImmutableDictionary<string, object?> Extra { get; init; } = ImmutableDictionary<string, object?>.Empty;
}

/// <summary>A workspace a step or sidecar uses (isolated workspaces).</summary>
public sealed record WorkspaceUsage(string Name, string? MountPath);

/// <summary>A workspace a Task or Pipeline declares.</summary>
public sealed record WorkspaceDeclaration : Located
{
    public required string Name { get; init; }
    public string? Description { get; init; }
    public string? MountPath { get; init; }
    public bool ReadOnly { get; init; }
    public bool Optional { get; init; }
}

/// <summary>One file of a ConfigMap or Secret projected into a volume.</summary>
public sealed record KeyToPath(string Key, string Path);

/// <summary>A pod volume (Task <c>volumes</c>) or the source side of a workspace binding.</summary>
public sealed record VolumeSource : Located
{
    public bool EmptyDir { get; init; }
    public string? ConfigMapName { get; init; }
    public string? SecretName { get; init; }
    public ImmutableArray<KeyToPath> Items { get; init; } = [];
    public string? ClaimName { get; init; }
    public bool VolumeClaimTemplate { get; init; }
    /// <summary>The <c>volumeClaimTemplate</c> as written (metadata and spec, plain maps and strings).</summary>
    public IReadOnlyDictionary<string, object?>? ClaimTemplate { get; init; }
    /// <summary>Projected volumes: the ConfigMaps and Secrets they combine.</summary>
    public ImmutableArray<VolumeSource> Sources { get; init; } = [];
    public bool Csi { get; init; }
    /// <summary>A host directory bound with <c>mship run -w NAME=DIR</c> (local executor only).</summary>
    public string? HostPath { get; init; }
}

/// <summary>A named Task volume.</summary>
public sealed record Volume : Located
{
    public required string Name { get; init; }
    public required VolumeSource Source { get; init; }
}

/// <summary>The body of a Task (also of a pipeline's embedded <c>taskSpec</c>).</summary>
public sealed record TaskSpec : Located
{
    public string? DisplayName { get; init; }
    public string? Description { get; init; }
    public ImmutableArray<ParamSpec> Params { get; init; } = [];
    public ImmutableArray<ResultSpec> Results { get; init; } = [];
    public ImmutableArray<Step> Steps { get; init; } = [];
    public ImmutableArray<Step> Sidecars { get; init; } = [];
    public Step? StepTemplate { get; init; }
    public ImmutableArray<WorkspaceDeclaration> Workspaces { get; init; } = [];
    public ImmutableArray<Volume> Volumes { get; init; } = [];
}

/// <summary>The body of a StepAction.</summary>
public sealed record StepActionSpec : Located
{
    public string? Image { get; init; }
    public ImmutableArray<string> Command { get; init; } = [];
    public ImmutableArray<string> Args { get; init; } = [];
    public string? Script { get; init; }
    public ImmutableArray<EnvVar> Env { get; init; } = [];
    public string? WorkingDir { get; init; }
    public ImmutableArray<ParamSpec> Params { get; init; } = [];
    public ImmutableArray<ResultSpec> Results { get; init; } = [];
    public ImmutableArray<VolumeMount> VolumeMounts { get; init; } = [];
}
