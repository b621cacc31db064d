namespace Mothership.Store;

/// <summary>
/// One transition of a rollout: a site's (<see cref="Site"/> set) or the whole rollout's state
/// changed, or someone acted on it, with the reason and who did it. Append-only, numbered in order.
/// </summary>
public sealed record RolloutEventRecord
{
    /// <summary>Its number, increasing in the order events were written (0 before it is stored).</summary>
    public long Seq { get; init; }

    public required string Rollout { get; init; }

    public required DateTimeOffset At { get; init; }

    /// <summary>The site that changed; null for the rollout's own status or an action.</summary>
    public string? Site { get; init; }

    /// <summary>The state before (a site state or a rollout status); empty for an action.</summary>
    public string From { get; init; } = "";

    /// <summary>The state after.</summary>
    public string To { get; init; } = "";

    /// <summary>One word (a reason constant of the rollout decider, or the action).</summary>
    public required string Reason { get; init; }

    public string Message { get; init; } = "";

    /// <summary>Who caused it when a person did (an approval, a pause); null for the driver's own steps.</summary>
    public string? Actor { get; init; }
}
