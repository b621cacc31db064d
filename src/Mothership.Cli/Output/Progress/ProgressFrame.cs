using System.Collections.Immutable;

namespace Mothership.Cli.Output.Progress;

/// <summary>What the progress view draws at one moment (made by <see cref="ProgressModel.Frame"/>): pure values, no clock.</summary>
internal sealed record ProgressFrame
{
    public required string RunName { get; init; }

    /// <summary>The run's reason: <c>Running</c> until it ends.</summary>
    public required string Status { get; init; }

    public bool Finished { get; init; }

    public TimeSpan Elapsed { get; init; }

    /// <summary>DAG levels in order (1, 2, …), then the finally tasks.</summary>
    public ImmutableArray<ProgressWave> Waves { get; init; } = [];

    public int Total { get; init; }

    /// <summary>Tasks that have ended: succeeded, failed or skipped.</summary>
    public int Done { get; init; }

    public int Running { get; init; }

    public int Failed { get; init; }

    public int Waiting { get; init; }

    /// <summary>Whether the run carries estimates; without them the view shows elapsed time only.</summary>
    public bool HasEstimates { get; init; }

    /// <summary>The longest remaining chain of estimates through the unfinished tasks; null without estimates.</summary>
    public TimeSpan? TimeLeft { get; init; }

    /// <summary>The last things the view was told (a Ctrl-C, a server that did not answer), newest last.</summary>
    public ImmutableArray<string> Notices { get; init; } = [];
}
