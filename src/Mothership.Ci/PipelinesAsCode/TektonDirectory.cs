using System.Collections.Immutable;
using Mothership.Ci.Forge;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;

namespace Mothership.Ci.PipelinesAsCode;

/// <summary>
/// A repository's <c>.tekton/</c> directory at one ref, as PaC reads it: every <c>.yaml</c> and
/// <c>.yml</c> file (subdirectories included), each with PaC's <c>{{ variables }}</c>
/// substituted into its text before it is loaded, and the PipelineRuns with the Pipelines and
/// Tasks of the directory inlined (PaC's resolver bundles them so each run stands alone).
/// </summary>
/// <param name="GitRef">The ref the files were read at.</param>
/// <param name="PipelineRuns">The PipelineRuns, inlined, in file order.</param>
/// <param name="Diagnostics">What did not load, at <c>.tekton/FILE:LINE:COL</c>.</param>
public sealed record TektonDirectory(string GitRef, ImmutableArray<PipelineRun> PipelineRuns, ImmutableArray<Diagnostic> Diagnostics)
{
    /// <summary>How deep subdirectories are read; PaC reads the whole tree, a bound keeps a hostile one cheap.</summary>
    private const int MaxDepth = 3;

    /// <summary>Whether any file failed to load (PaC then runs nothing: a YAML error halts every run).</summary>
    public bool HasErrors => Diagnostics.Any(d => d.Severity == Severity.Error);

    /// <summary>Reads <c>.tekton/</c> of <paramref name="repository"/> at <paramref name="gitRef"/>; empty when there is none.</summary>
    public static async Task<TektonDirectory> ReadAsync(IForge forge, RepositoryName repository, string gitRef, IReadOnlyDictionary<string, string> variables, CancellationToken cancellationToken)
    {
        var texts = await RepositoryFiles.ReadYamlTreeAsync(forge, repository, PacAnnotations.Directory, gitRef, MaxDepth, cancellationToken).ConfigureAwait(false) ?? [];
        return Load(gitRef, texts, variables);
    }

    /// <summary>Loads the files' texts (pure): substitutes, loads, inlines.</summary>
    public static TektonDirectory Load(string gitRef, IEnumerable<(string Path, string Text)> files, IReadOnlyDictionary<string, string> variables)
    {
        ArgumentNullException.ThrowIfNull(files);
        var bag = new DiagnosticBag();
        var resources = new List<Resource>();
        foreach (var (path, text) in files)
        {
            resources.AddRange(ResourceLoader.Load(path, PacVariables.Substitute(text, variables), bag));
        }

        var pipelines = resources.OfType<Pipeline>().Where(p => p.Metadata.Name is not null).GroupBy(p => p.Metadata.Name!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var tasks = resources.OfType<TektonTask>().Where(t => t.Metadata.Name is not null).GroupBy(t => t.Metadata.Name!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var runs = resources.OfType<PipelineRun>().Select(r => Inline(r, pipelines, tasks)).ToImmutableArray();
        return new TektonDirectory(gitRef, runs, [.. bag.Sorted()]);
    }

    private static PipelineRun Inline(PipelineRun run, Dictionary<string, Pipeline> pipelines, Dictionary<string, TektonTask> tasks)
    {
        var spec = run.Spec;
        if (spec.PipelineRef is { Name: { } name, Resolver: null } && pipelines.TryGetValue(name, out var pipeline))
        {
            spec = spec with { PipelineRef = null, PipelineSpec = pipeline.Spec };
        }

        if (spec.PipelineSpec is { } inline)
        {
            PipelineTask Task(PipelineTask task) =>
                task.TaskRef is { Name: { } taskName, Resolver: null, Kind: null or "Task" } && tasks.TryGetValue(taskName, out var found)
                    ? task with { TaskRef = null, TaskSpec = found.Spec }
                    : task;
            spec = spec with { PipelineSpec = inline with { Tasks = [.. inline.Tasks.Select(Task)], Finally = [.. inline.Finally.Select(Task)] } };
        }

        return run with { Spec = spec };
    }
}
