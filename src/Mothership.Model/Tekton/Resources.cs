using System.Collections.Immutable;

namespace Mothership.Model.Tekton;

/// <summary>Kubernetes object metadata, the parts Mothership uses.</summary>
public sealed record ObjectMeta : Located
{
    public string? Name { get; init; }
    public string? GenerateName { get; init; }
    public string? Namespace { get; init; }
    public ImmutableSortedDictionary<string, string> Labels { get; init; } = ImmutableSortedDictionary<string, string>.Empty;
    public ImmutableSortedDictionary<string, string> Annotations { get; init; } = ImmutableSortedDictionary<string, string>.Empty;
}

/// <summary>Any resource found in the input files.</summary>
public abstract record Resource : Located
{
    public required string ApiVersion { get; init; }
    public required string Kind { get; init; }
    public required ObjectMeta Metadata { get; init; }

    /// <summary>The name, or the generateName prefix, or "(unnamed)", for messages.</summary>
    public string DisplayName => Metadata.Name ?? Metadata.GenerateName ?? "(unnamed)";
}

public sealed record TektonTask : Resource
{
    public required TaskSpec Spec { get; init; }
}

public sealed record Pipeline : Resource
{
    public required PipelineSpec Spec { get; init; }
}

public sealed record PipelineRun : Resource
{
    public required PipelineRunSpec Spec { get; init; }
}

public sealed record TaskRun : Resource
{
    public required TaskRunSpec Spec { get; init; }
}

public sealed record StepAction : Resource
{
    public required StepActionSpec Spec { get; init; }
}

/// <summary>A ConfigMap or Secret: string data by key (Secret data already base64-decoded).</summary>
public sealed record DataObject : Resource
{
    public ImmutableSortedDictionary<string, string> Data { get; init; } = ImmutableSortedDictionary<string, string>.Empty;

    public bool IsSecret => Kind == "Secret";

    /// <summary>A Secret's type (<c>kubernetes.io/ssh-auth</c>, <c>kubernetes.io/basic-auth</c>, …).</summary>
    public string? Type { get; init; }
}

/// <summary>A ServiceAccount: the secrets it carries become a TaskRun's credentials (Tekton's creds-init).</summary>
public sealed record ServiceAccount : Resource
{
    public ImmutableArray<string> Secrets { get; init; } = [];
}

/// <summary>Objects accepted beside Tekton ones and kept only for reference (ServiceAccount, PVC, …).</summary>
public sealed record OtherObject : Resource;

/// <summary>Everything loaded from a set of files, by kind, in file order.</summary>
public sealed record ResourceSet
{
    public ImmutableArray<Resource> All { get; init; } = [];

    public IEnumerable<TektonTask> Tasks => All.OfType<TektonTask>();
    public IEnumerable<Pipeline> Pipelines => All.OfType<Pipeline>();
    public IEnumerable<PipelineRun> PipelineRuns => All.OfType<PipelineRun>();
    public IEnumerable<TaskRun> TaskRuns => All.OfType<TaskRun>();
    public IEnumerable<StepAction> StepActions => All.OfType<StepAction>();
    public IEnumerable<DataObject> ConfigMaps => All.OfType<DataObject>().Where(d => !d.IsSecret);
    public IEnumerable<DataObject> Secrets => All.OfType<DataObject>().Where(d => d.IsSecret);

    /// <summary>
    /// Where Pipelines, Tasks and StepActions referenced by name but absent from <see cref="All"/>
    /// live instead, as the end of "it must exist in …" (a Prow job's: "the cluster the job runs
    /// on"): such a reference is then a warning. Null (the default): it must be in the files, an error.
    /// </summary>
    public string? DefinedElsewhere { get; init; }

    public TektonTask? FindTask(string name) => Tasks.FirstOrDefault(t => t.Metadata.Name == name);
    public Pipeline? FindPipeline(string name) => Pipelines.FirstOrDefault(p => p.Metadata.Name == name);
    public StepAction? FindStepAction(string name) => StepActions.FirstOrDefault(p => p.Metadata.Name == name);
    public DataObject? FindConfigMap(string name) => ConfigMaps.FirstOrDefault(c => c.Metadata.Name == name);
    public ServiceAccount? FindServiceAccount(string name) => All.OfType<ServiceAccount>().FirstOrDefault(s => s.Metadata.Name == name);
    public DataObject? FindSecret(string name) => Secrets.FirstOrDefault(c => c.Metadata.Name == name);
}
