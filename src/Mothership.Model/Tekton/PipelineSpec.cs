using System.Collections.Immutable;

namespace Mothership.Model.Tekton;

/// <summary>
/// A reference to a Task, Pipeline or StepAction: by name, or through a remote
/// <see cref="Resolver"/> (git, http, hub, bundles, cluster) with its <see cref="Params"/>,
/// which the remote resolution stage turns into the spec it names before a run starts.
/// </summary>
public sealed record ResourceRef : Located
{
    public string? Name { get; init; }
    public string? Kind { get; init; }
    public string? Resolver { get; init; }

    /// <summary>The resolver's params (<c>url</c>, <c>revision</c>, <c>pathInRepo</c>, ...); empty for a ref by name.</summary>
    public ImmutableArray<Param> Params { get; init; } = [];
}

/// <summary>A <c>when</c> guard: <c>input in/notin values</c>, or a CEL expression.</summary>
public sealed record WhenExpression : Located
{
    public string? Input { get; init; }
    public string? Operator { get; init; }
    public ImmutableArray<string> Values { get; init; } = [];
    public string? Cel { get; init; }
}

/// <summary>Binds a pipeline workspace to a task workspace.</summary>
public sealed record WorkspaceTaskBinding : Located
{
    public required string Name { get; init; }
    public string? Workspace { get; init; }
    public string? SubPath { get; init; }
}

/// <summary>An explicit combination added to (or alongside) a matrix.</summary>
public sealed record MatrixInclude : Located
{
    public string? Name { get; init; }
    public ImmutableArray<Param> Params { get; init; } = [];
}

/// <summary>Fans a pipeline task out over parameter combinations.</summary>
public sealed record Matrix : Located
{
    public ImmutableArray<Param> Params { get; init; } = [];
    public ImmutableArray<MatrixInclude> Include { get; init; } = [];

    /// <summary>
    /// How many TaskRuns this matrix fans out to, with its values as they are (substitute them
    /// first), computed without making the combinations: each param's values multiply the count
    /// (none of them: nothing runs), and each <c>include</c> that matches no combination adds one
    /// (as Tekton's <c>CountCombinations</c>). Saturates at <see cref="long.MaxValue"/>.
    /// </summary>
    public long CountCombinations()
    {
        long product = Params.IsEmpty ? 0 : 1;
        var values = new Dictionary<string, ImmutableArray<string>>(StringComparer.Ordinal);
        foreach (var p in Params)
        {
            var items = p.Value.Type == ParamType.Array ? p.Value.ArrayValue : [p.Value.StringValue ?? ""];
            if (items.IsEmpty)
            {
                return 0;
            }

            values.TryAdd(p.Name, items);
            product = product > long.MaxValue / items.Length ? long.MaxValue : product * items.Length;
        }

        var added = Include.LongCount(i => product == 0 || !Matches(i, values));
        return product > long.MaxValue - added ? long.MaxValue : product + added;
    }

    /// <summary>Whether some combination has every value <paramref name="include"/> gives a matrix param.</summary>
    private static bool Matches(MatrixInclude include, Dictionary<string, ImmutableArray<string>> values) =>
        include.Params.Where(p => values.ContainsKey(p.Name)).GroupBy(p => p.Name, StringComparer.Ordinal).All(g =>
            g.First().Value is { Type: ParamType.String, StringValue: { } v } first && g.All(p => p.Value.Equals(first)) && values[g.Key].Contains(v));
}

/// <summary>One task of a Pipeline (in <c>tasks</c> or <c>finally</c>).</summary>
public sealed record PipelineTask : Located
{
    public required string Name { get; init; }
    public string? DisplayName { get; init; }
    public string? Description { get; init; }
    public ResourceRef? TaskRef { get; init; }
    public TaskSpec? TaskSpec { get; init; }
    /// <summary>Pipelines in pipelines (TEP-0056) are recorded and rejected by validation.</summary>
    public ResourceRef? PipelineRef { get; init; }
    public ImmutableArray<Param> Params { get; init; } = [];
    public ImmutableArray<string> RunAfter { get; init; } = [];
    public ImmutableArray<WhenExpression> When { get; init; } = [];
    public int Retries { get; init; }
    public string? Timeout { get; init; }
    public ImmutableArray<WorkspaceTaskBinding> Workspaces { get; init; } = [];
    public Matrix? Matrix { get; init; }
    /// <summary><c>continue</c> or <c>stopAndFail</c> (the default).</summary>
    public string? OnError { get; init; }
}

/// <summary>The body of a Pipeline.</summary>
public sealed record PipelineSpec : Located
{
    public string? DisplayName { get; init; }
    public string? Description { get; init; }
    public ImmutableArray<ParamSpec> Params { get; init; } = [];
    public ImmutableArray<PipelineTask> Tasks { get; init; } = [];
    public ImmutableArray<PipelineTask> Finally { get; init; } = [];
    public ImmutableArray<ResultSpec> Results { get; init; } = [];
    public ImmutableArray<WorkspaceDeclaration> Workspaces { get; init; } = [];
}

/// <summary>A workspace bound by a PipelineRun or TaskRun to real storage.</summary>
public sealed record WorkspaceBinding : Located
{
    public required string Name { get; init; }
    public string? SubPath { get; init; }
    public required VolumeSource Source { get; init; }
}

/// <summary>PipelineRun timeouts; each a Go duration string as Tekton writes them.</summary>
public sealed record PipelineRunTimeouts : Located
{
    public string? Pipeline { get; init; }
    public string? Tasks { get; init; }
    public string? Finally { get; init; }
}

/// <summary>Per-pipeline-task overrides in a PipelineRun.</summary>
public sealed record PipelineTaskRunSpec : Located
{
    public required string PipelineTaskName { get; init; }
    public string? ServiceAccountName { get; init; }
    public PodTemplate? PodTemplate { get; init; }
    public ImmutableDictionary<string, object?> Extra { get; init; } = ImmutableDictionary<string, object?>.Empty;
}

/// <summary>The body of a PipelineRun.</summary>
public sealed record PipelineRunSpec : Located
{
    public ResourceRef? PipelineRef { get; init; }
    public PipelineSpec? PipelineSpec { get; init; }
    public ImmutableArray<Param> Params { get; init; } = [];
    public ImmutableArray<WorkspaceBinding> Workspaces { get; init; } = [];
    public PipelineRunTimeouts? Timeouts { get; init; }
    /// <summary><c>Cancelled</c>, <c>CancelledRunFinally</c>, <c>StoppedRunFinally</c> or <c>PipelineRunPending</c>.</summary>
    public string? Status { get; init; }
    public string? ServiceAccountName { get; init; }
    /// <summary><c>taskRunTemplate.podTemplate</c>: every task's pod, unless <see cref="TaskRunSpecs"/> say otherwise.</summary>
    public PodTemplate? PodTemplate { get; init; }
    public ImmutableArray<PipelineTaskRunSpec> TaskRunSpecs { get; init; } = [];
}

/// <summary>The body of a TaskRun.</summary>
public sealed record TaskRunSpec : Located
{
    public ResourceRef? TaskRef { get; init; }
    public TaskSpec? TaskSpec { get; init; }
    public ImmutableArray<Param> Params { get; init; } = [];
    public ImmutableArray<WorkspaceBinding> Workspaces { get; init; } = [];
    public string? Timeout { get; init; }
    public int Retries { get; init; }
    public string? Status { get; init; }
    public string? ServiceAccountName { get; init; }
    public PodTemplate? PodTemplate { get; init; }
}
