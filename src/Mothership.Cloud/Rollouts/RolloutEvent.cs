using System.Collections.Immutable;

namespace Mothership.Cloud.Rollouts;

/// <summary>
/// What happened, fed to <see cref="RolloutDecider.Next"/>: a deploy or bake check ended, or
/// someone approved, paused, resumed, aborted or retried. <see cref="At"/> is when it happened
/// (a replay computes the same bake deadlines). An event that does not fit the state — a second
/// delivery, another attempt's result — changes nothing and is reported as ignored.
/// </summary>
public abstract record RolloutEvent(DateTimeOffset At)
{
    /// <summary>The deploy <paramref name="Attempt"/> of <paramref name="Site"/> succeeded.</summary>
    public sealed record DeploySucceeded(string Site, int Attempt, DateTimeOffset At) : RolloutEvent(At);

    /// <summary>The deploy <paramref name="Attempt"/> of <paramref name="Site"/> failed.</summary>
    public sealed record DeployFailed(string Site, int Attempt, string Message, DateTimeOffset At) : RolloutEvent(At);

    /// <summary>The bake check after deploy <paramref name="Attempt"/> of <paramref name="Site"/> passed.</summary>
    public sealed record BakePassed(string Site, int Attempt, DateTimeOffset At) : RolloutEvent(At);

    /// <summary>The bake check after deploy <paramref name="Attempt"/> of <paramref name="Site"/> failed.</summary>
    public sealed record BakeFailed(string Site, int Attempt, string Message, DateTimeOffset At) : RolloutEvent(At);

    /// <summary><paramref name="Approver"/>, holding <paramref name="Roles"/> (as the caller checked them), approved gate <paramref name="Gate"/> (<c>before-&lt;wave&gt;</c>).</summary>
    public sealed record Approved(string Gate, string Approver, ImmutableArray<string> Roles, DateTimeOffset At) : RolloutEvent(At);

    /// <summary>Nothing new starts until resumed; deploys under way finish.</summary>
    public sealed record Paused(string By, DateTimeOffset At) : RolloutEvent(At);

    public sealed record Resumed(string By, DateTimeOffset At) : RolloutEvent(At);

    /// <summary>Sites not started are skipped; deploys under way finish.</summary>
    public sealed record Aborted(string By, string Message, DateTimeOffset At) : RolloutEvent(At);

    /// <summary>The failed <paramref name="Site"/> deploys again (as a new attempt); a halt it caused lifts.</summary>
    public sealed record RetryRequested(string Site, string By, DateTimeOffset At) : RolloutEvent(At);
}
