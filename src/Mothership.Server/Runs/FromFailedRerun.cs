using System.Collections.Immutable;
using Mothership.Store;

namespace Mothership.Server.Runs;

/// <summary>What <see cref="RunIntake.RerunFromFailedAsync"/> did: the new run and the pipeline tasks it reuses, or why it made none.</summary>
internal sealed record FromFailedRerun
{
    /// <summary>The new run, queued; null when refused.</summary>
    public RunRecord? Run { get; init; }

    /// <summary>The pipeline tasks of the earlier run the new one reuses (they will not run), by name.</summary>
    public ImmutableArray<string> Reused { get; init; } = [];

    public RerunRefusal Refusal { get; init; }

    /// <summary>Why it was refused, for the caller (one line).</summary>
    public string Message { get; init; } = "";
}
