namespace Mothership.Ci.Promotion;

/// <summary>
/// What a rollout's pull request shows: one environment rolled out to one revision of the site
/// repository wave by wave, its gates and where the rollout is.
/// </summary>
public sealed record RolloutRequest
{
    /// <summary>The rollout's name (what <c>/approve-rollout</c> on the pull request approves a gate of).</summary>
    public required string Rollout { get; init; }

    /// <summary>The environment rolled out (<c>prod</c>).</summary>
    public required string Environment { get; init; }

    /// <summary>The revision rolled out (a full commit id).</summary>
    public required string To { get; init; }

    /// <summary>Who started it (<c>promotion</c>, or the API's caller).</summary>
    public required string Actor { get; init; }

    /// <summary>The rollout's status (<c>Running</c>, <c>Paused</c>, <c>Halted</c>, …).</summary>
    public required string Status { get; init; }

    /// <summary>Why it is in its status; null when nothing was said.</summary>
    public string? Reason { get; init; }

    /// <summary>The rollout's page on the dashboard; null when the server has no public URL.</summary>
    public string? Link { get; init; }

    /// <summary>The waves in order.</summary>
    public IReadOnlyList<RolloutRequestWave> Waves { get; init; } = [];
}
