using System.Collections.Immutable;

namespace Mothership.Cli.Output.Progress;

/// <summary>A row of the progress view: one DAG level (<c>1</c>, <c>2</c>, …) or <c>finally</c>, with its tasks.</summary>
internal sealed record ProgressWave(string Label, ImmutableArray<ProgressTaskView> Tasks);
